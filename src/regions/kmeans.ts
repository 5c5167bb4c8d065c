import { kmeans } from 'ml-kmeans';
import { distanceMatrix, meanSilhouette } from './silhouette.js';

/** The chosen partition of the fitted points. */
export interface Partition {
  k: number;
  centroids: Float64Array[];
  /** Cluster of each fitted point. */
  labels: Int32Array;
  /** Mean silhouette of the chosen k (NaN when only one cluster was possible). */
  silhouette: number;
  /** Mean silhouette of every k tried, for the docs and the report. */
  tried: { k: number; silhouette: number }[];
}

export interface PartitionOptions {
  maxK: number;
  seed: number;
  /** Smallest cluster worth a region: k is capped so that clusters can reach it on average. */
  minSize?: number;
  maxIterations?: number;
}

/**
 * k-means++ (ml-kmeans, seeded) for every k in [2, maxK], keeping the k with the best mean
 * silhouette. The distance matrix is computed once and shared by every k, so the choice costs
 * O(n²·d) once plus O(n²) per k; callers pass a bounded sample.
 */
export function partition(points: ArrayLike<number>[], opts: PartitionOptions): Partition {
  const n = points.length;
  const data = points.map((p) => Array.from(p));
  const maxK = Math.min(opts.maxK, Math.floor(n / (opts.minSize ?? 5)));
  if (maxK < 2) return single(data);
  const dist = distanceMatrix(points);
  let best: Omit<Partition, 'tried'> | undefined;
  const tried: Partition['tried'] = [];
  for (let k = 2; k <= maxK; k++) {
    const fit = kmeans(data, k, { initialization: 'kmeans++', seed: opts.seed + k, maxIterations: opts.maxIterations ?? 50 });
    const labels = Int32Array.from(fit.clusters);
    const silhouette = meanSilhouette(dist, labels, k);
    tried.push({ k, silhouette });
    if (!best || silhouette > best.silhouette) best = { k, centroids: fit.centroids.map((c) => Float64Array.from(c)), labels, silhouette };
  }
  return { ...best!, tried };
}

function single(data: number[][]): Partition {
  const d = data[0]?.length ?? 0;
  const c = new Float64Array(d);
  for (const p of data) for (let i = 0; i < d; i++) c[i]! += p[i]! / data.length;
  return { k: 1, centroids: [c], labels: new Int32Array(data.length), silhouette: NaN, tried: [] };
}
