import type { Metric } from './vector-index.js';

/** Exact distance under `metric`, as the HNSW index reports it: 1 − cos, or Euclidean. */
export function distanceOf(metric: Metric, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    aa += x * x;
    bb += y * y;
    sq += (x - y) * (x - y);
  }
  if (metric === 'l2') return Math.sqrt(sq);
  const denominator = Math.sqrt(aa * bb);
  return denominator === 0 ? 1 : 1 - dot / denominator;
}
