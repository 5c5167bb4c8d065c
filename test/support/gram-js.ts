// The distance pass as it was in scalar JS before the WebAssembly kernel (src/drift/stats/
// gram.wat), same 4×2 register blocks, summing each dot product in coordinate order: the
// oracle the kernel's results are checked against, and the "before" of `npm run bench -- gram`.
import { blockRowsOf, rowBase } from '../../src/drift/stats/gram.js';

const BLOCK = 4;

/** Squared norms of the rows. */
export function squaredNorms(points: Float64Array, n: number, d: number): Float64Array {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = i * d, end = k + d; k < end; k++) sum += points[k] * points[k];
    norms[i] = sum;
  }
  return norms;
}

function pairDistance(points: Float64Array, norms: Float64Array, d: number, i: number, j: number): number {
  const a = i * d;
  const b = j * d;
  let dot = 0;
  for (let k = 0; k < d; k++) dot += points[a + k] * points[b + k];
  return nonNegative(norms[i] + norms[j] - 2 * dot);
}

// Rounding can take the distance of (near-)identical points slightly below zero.
function nonNegative(value: number): number {
  return value > 0 ? value : 0;
}

function fourRowsAgainstRest(points: Float64Array, norms: Float64Array, n: number, d: number, i: number, out: Float64Array): void {
  const o0 = i * d;
  const o1 = o0 + d;
  const o2 = o1 + d;
  const o3 = o2 + d;
  const r0 = rowBase(n, i);
  const r1 = rowBase(n, i + 1);
  const r2 = rowBase(n, i + 2);
  const r3 = rowBase(n, i + 3);
  const m0 = norms[i], m1 = norms[i + 1], m2 = norms[i + 2], m3 = norms[i + 3];
  let j = i + 4;
  for (; j + 1 < n; j += 2) {
    const p = j * d;
    const q = p + d;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    for (let k = 0; k < d; k++) {
      const y = points[p + k];
      const z = points[q + k];
      const x0 = points[o0 + k];
      const x1 = points[o1 + k];
      const x2 = points[o2 + k];
      const x3 = points[o3 + k];
      a0 += x0 * y; a1 += x1 * y; a2 += x2 * y; a3 += x3 * y;
      b0 += x0 * z; b1 += x1 * z; b2 += x2 * z; b3 += x3 * z;
    }
    const ny = norms[j];
    const nz = norms[j + 1];
    out[r0 + j] = nonNegative(m0 + ny - 2 * a0); out[r1 + j] = nonNegative(m1 + ny - 2 * a1);
    out[r2 + j] = nonNegative(m2 + ny - 2 * a2); out[r3 + j] = nonNegative(m3 + ny - 2 * a3);
    out[r0 + j + 1] = nonNegative(m0 + nz - 2 * b0); out[r1 + j + 1] = nonNegative(m1 + nz - 2 * b1);
    out[r2 + j + 1] = nonNegative(m2 + nz - 2 * b2); out[r3 + j + 1] = nonNegative(m3 + nz - 2 * b3);
  }
  for (; j < n; j++) {
    for (let r = 0; r < BLOCK; r++) out[rowBase(n, i + r) + j] = pairDistance(points, norms, d, i + r, j);
  }
}

/** Fills the rows of the blocks starting at `starts` of the packed distance triangle `out`. */
export function squaredDistancesOfRowsJs(points: Float64Array, norms: Float64Array, n: number, d: number, out: Float64Array, starts: readonly number[]): void {
  for (const i of starts) {
    const end = Math.min(n, i + BLOCK);
    for (let r = i; r < end; r++) {
      for (let j = r + 1; j < end; j++) out[rowBase(n, r) + j] = pairDistance(points, norms, d, r, j);
    }
    if (end - i === BLOCK) fourRowsAgainstRest(points, norms, n, d, i, out);
    else for (let r = i; r < end; r++) for (let j = end; j < n; j++) out[rowBase(n, r) + j] = pairDistance(points, norms, d, r, j);
  }
}

/** Squared distances between all rows of a row-major n×d matrix, as a packed upper triangle. */
export function pairwiseSquaredDistancesJs(points: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array((n * (n - 1)) / 2);
  squaredDistancesOfRowsJs(points, squaredNorms(points, n, d), n, d, out, blockRowsOf(n, 0, 1));
  return out;
}
