/** Squared Euclidean distance between two equal-length vectors. */
export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

/** The packed n×n Euclidean distance matrix of `points` (row-major, symmetric, zero diagonal). */
export function distanceMatrix(points: ArrayLike<number>[]): Float64Array {
  const n = points.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.sqrt(squaredDistance(points[i]!, points[j]!));
      out[i * n + j] = d;
      out[j * n + i] = d;
    }
  }
  return out;
}

/**
 * Mean silhouette coefficient (Rousseeuw 1987) from a precomputed distance matrix: for each
 * point, (b − a) / max(a, b) with a its mean distance to its own cluster and b the smallest
 * mean distance to another cluster; a point alone in its cluster scores 0 (as sklearn does).
 * Undefined (NaN) with fewer than two clusters.
 */
export function meanSilhouette(dist: Float64Array, labels: ArrayLike<number>, k: number): number {
  const n = labels.length;
  const sizes = new Float64Array(k);
  for (let i = 0; i < n; i++) sizes[labels[i]!]! += 1;
  if (sizes.filter((s) => s > 0).length < 2) return NaN;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    const row = i * n;
    for (let j = 0; j < n; j++) sums[labels[j]!]! += dist[row + j]!;
    const own = labels[i]!;
    if (sizes[own]! <= 1) continue;
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / n;
}
