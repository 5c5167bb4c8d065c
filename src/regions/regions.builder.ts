import { hash32 } from '../drift/sampling/bottom-k.js';
import { assignAll, nearestCentroid } from './assign.js';
import { partition } from './kmeans.js';
import { project2d } from './projection.js';
import { fitReduction } from './reduce.js';

/** A window prediction, in the model's metric space. */
export interface WindowPoint {
  seq: number;
  id: string;
  vector: Float32Array;
  isOod: boolean;
  /** Label-free probability that its forwarded prediction is right. */
  estimate: number;
}

export interface BuildSettings {
  fitSample: number;
  maxK: number;
  mapSample: number;
  seed: number;
}

/** The clustering of one window, before ids, labels and ranking. */
export interface Clustering {
  k: number;
  silhouette: number | null;
  /** Mean member embedding of each cluster, in the model's metric space (ids carry over by these). */
  centroids: Float64Array[];
  /** Cluster of each window point. */
  membership: Int32Array;
  /** Label-free probability that each window point's prediction is right. */
  estimates: Float64Array;
  /** Training points per cluster. */
  trainingCounts: number[];
  /** Window indexes of each cluster, most typical (nearest the centre) first. */
  typical: number[][];
  /** Mean 2-D position of each cluster's mapped members. */
  centroids2d: [number, number][];
  map: { x: number; y: number; kind: 'production' | 'training'; cluster: number }[];
}

/** Principal components kept for clustering and the map. */
const REDUCED_DIMS = 32;

/** Lowest hashes first: a deterministic subsample that does not depend on arrival order. */
function sampleIndexes(keys: number[], size: number, seed: number): number[] {
  if (keys.length <= size) return keys.map((_, i) => i);
  return keys
    .map((k, i) => ({ i, h: hash32(k, seed) }))
    .sort((a, b) => a.h - b.h)
    .slice(0, size)
    .map((x) => x.i)
    .sort((a, b) => a - b);
}

/**
 * Clusters a window: PCA to REDUCED_DIMS and k-means++ fitted on a deterministic sample, k by
 * silhouette, every point
 * (and every training point) assigned to its nearest centre, and a UMAP map of a bounded
 * sample of production and training points.
 */
export function clusterWindow(points: WindowPoint[], training: Float32Array[], s: BuildSettings): Clustering {
  const fit = sampleIndexes(points.map((p) => p.seq), s.fitSample, s.seed);
  const reduction = fitReduction(fit.map((i) => points[i]!.vector), REDUCED_DIMS);
  const reduced = reduction.apply(points.map((p) => p.vector));
  const trainingReduced = reduction.apply(training);
  const part = partition(fit.map((i) => reduced[i]!), { maxK: s.maxK, seed: s.seed });
  const membership = assignAll(reduced, part.centroids);
  const trainingOf = assignAll(trainingReduced, part.centroids);
  const trainingCounts = new Array<number>(part.k).fill(0);
  for (const c of trainingOf) trainingCounts[c]! += 1;
  const typical: number[][] = Array.from({ length: part.k }, () => []);
  const dist = reduced.map((p, i) => nearestCentroid(p, [part.centroids[membership[i]!]!]).distance2);
  points.forEach((_, i) => typical[membership[i]!]!.push(i));
  for (const t of typical) t.sort((a, b) => dist[a]! - dist[b]!);

  // The map keeps production and training in proportion 2:1 so both are visible.
  const prodMapped = sampleIndexes(points.map((p) => p.seq), Math.ceil((s.mapSample * 2) / 3), s.seed + 1);
  const trainMapped = sampleIndexes(training.map((_, i) => i), Math.floor(s.mapSample / 3), s.seed + 2);
  const xy = project2d([...prodMapped.map((i) => reduced[i]!), ...trainMapped.map((i) => trainingReduced[i]!)], { seed: s.seed });
  const map = [
    ...prodMapped.map((i, j) => ({ x: xy[j]![0], y: xy[j]![1], kind: 'production' as const, cluster: membership[i]! })),
    ...trainMapped.map((i, j) => ({ x: xy[prodMapped.length + j]![0], y: xy[prodMapped.length + j]![1], kind: 'training' as const, cluster: trainingOf[i]! })),
  ];
  return {
    k: part.k,
    silhouette: Number.isNaN(part.silhouette) ? null : part.silhouette,
    centroids: memberMeans(points, membership, part.k),
    membership,
    estimates: Float64Array.from(points, (p) => p.estimate),
    trainingCounts,
    typical,
    centroids2d: meanPositions(map.filter((p) => p.kind === 'production'), part.k),
    map,
  };
}

function meanPositions(points: { x: number; y: number; cluster: number }[], k: number): [number, number][] {
  const sums = Array.from({ length: k }, () => ({ x: 0, y: 0, n: 0 }));
  for (const p of points) {
    const s = sums[p.cluster]!;
    s.x += p.x;
    s.y += p.y;
    s.n += 1;
  }
  return sums.map((s) => (s.n > 0 ? [s.x / s.n, s.y / s.n] : [0.5, 0.5]));
}

function memberMeans(points: WindowPoint[], membership: Int32Array, k: number): Float64Array[] {
  const d = points[0]?.vector.length ?? 0;
  const sums = Array.from({ length: k }, () => new Float64Array(d));
  const counts = new Array<number>(k).fill(0);
  points.forEach((p, i) => {
    const c = membership[i]!;
    counts[c]! += 1;
    for (let j = 0; j < d; j++) sums[c]![j]! += p.vector[j]!;
  });
  return sums.map((s, c) => s.map((v) => (counts[c]! > 0 ? v / counts[c]! : 0)));
}
