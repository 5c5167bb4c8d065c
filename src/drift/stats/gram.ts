// Pairwise squared Euclidean distances between the rows of a row-major n×d matrix, stored
// as the packed strict upper triangle (pair i < j at rowBase(n, i) + j): half the memory
// of a full n×n matrix, and the diagonal is known anyway.
//
// This is the hot loop of the MMD test (n ≈ 2000, d = 512 means 10⁹ multiply-adds), so it
// works on four rows against two columns at once: each loaded coordinate then feeds four
// or eight accumulators, which roughly halves the time of the plain double loop in V8.
// Differences are squared directly instead of using ‖a‖² + ‖b‖² − 2a·b, which costs the
// same here and cannot cancel to a negative distance.

/** Offset such that pair (i, j), i < j, sits at `rowBase(n, i) + j` in the packed triangle. */
export function rowBase(n: number, i: number): number {
  return (i * (2 * n - i - 1)) / 2 - i - 1;
}

function squaredDistance(points: Float64Array, d: number, i: number, j: number): number {
  const a = i * d;
  const b = j * d;
  let sum = 0;
  for (let k = 0; k < d; k++) {
    const diff = points[a + k] - points[b + k];
    sum += diff * diff;
  }
  return sum;
}

function fourRowsAgainstRest(points: Float64Array, n: number, d: number, i: number, out: Float64Array): void {
  const o0 = i * d;
  const o1 = o0 + d;
  const o2 = o1 + d;
  const o3 = o2 + d;
  const r0 = rowBase(n, i);
  const r1 = rowBase(n, i + 1);
  const r2 = rowBase(n, i + 2);
  const r3 = rowBase(n, i + 3);
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
      let e = x0 - y; a0 += e * e;
      e = x1 - y; a1 += e * e;
      e = x2 - y; a2 += e * e;
      e = x3 - y; a3 += e * e;
      e = x0 - z; b0 += e * e;
      e = x1 - z; b1 += e * e;
      e = x2 - z; b2 += e * e;
      e = x3 - z; b3 += e * e;
    }
    out[r0 + j] = a0; out[r1 + j] = a1; out[r2 + j] = a2; out[r3 + j] = a3;
    out[r0 + j + 1] = b0; out[r1 + j + 1] = b1; out[r2 + j + 1] = b2; out[r3 + j + 1] = b3;
  }
  for (; j < n; j++) {
    for (let r = 0; r < 4; r++) out[rowBase(n, i + r) + j] = squaredDistance(points, d, i + r, j);
  }
}

/** Squared distances between all rows of a row-major n×d matrix, as a packed upper triangle. */
export function pairwiseSquaredDistances(points: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array((n * (n - 1)) / 2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    for (let r = i; r < i + 4; r++) {
      for (let j = r + 1; j < i + 4; j++) out[rowBase(n, r) + j] = squaredDistance(points, d, r, j);
    }
    fourRowsAgainstRest(points, n, d, i, out);
  }
  for (; i < n; i++) {
    for (let j = i + 1; j < n; j++) out[rowBase(n, i) + j] = squaredDistance(points, d, i, j);
  }
  return out;
}
