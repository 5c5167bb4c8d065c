import { squaredDistance } from './silhouette.js';

/** Index of the centroid nearest to `point` (Euclidean), and the squared distance to it. */
export function nearestCentroid(point: ArrayLike<number>, centroids: ArrayLike<number>[]): { index: number; distance2: number } {
  let index = 0;
  let distance2 = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = squaredDistance(point, centroids[c]!);
    if (d < distance2) {
      distance2 = d;
      index = c;
    }
  }
  return { index, distance2 };
}

/** The nearest centroid of every point. */
export function assignAll(points: ArrayLike<number>[], centroids: ArrayLike<number>[]): Int32Array {
  const out = new Int32Array(points.length);
  for (let i = 0; i < points.length; i++) out[i] = nearestCentroid(points[i]!, centroids).index;
  return out;
}
