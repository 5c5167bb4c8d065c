import type { LabeledRows } from './training-data.js';

/** Splits a row-major n×k array into rows. */
export function toMatrix(values: Float32Array, n: number, k: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * k, (i + 1) * k)));
}

/** Index of the 1 in each one-hot row. */
export function classIndexes(rows: LabeledRows, k: number): number[] {
  return Array.from({ length: rows.n }, (_, i) => {
    let c = 0;
    while (c < k - 1 && rows.y[i * k + c] !== 1) c++;
    return c;
  });
}
