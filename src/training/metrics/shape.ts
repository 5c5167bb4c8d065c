/** Throws unless `rows` is a non-empty n×k matrix matching `n` labels, and returns k. */
export function assertMatrix(rows: readonly (readonly number[])[], n: number, what: string): number {
  if (n === 0) throw new RangeError('no samples');
  if (rows.length !== n) throw new RangeError(`${what} has ${rows.length} rows for ${n} samples`);
  const width = rows[0].length;
  if (width === 0) throw new RangeError(`${what} has no columns`);
  rows.forEach((row, i) => {
    if (row.length !== width) throw new RangeError(`${what} row ${i} has ${row.length} columns, expected ${width}`);
  });
  return width;
}
