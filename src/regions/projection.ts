import { UMAP } from 'umap-js';
import { mulberry32 } from '../util/random.js';
import { distanceMatrix } from './silhouette.js';

export interface ProjectionOptions {
  seed: number;
  /** UMAP optimisation epochs: fewer is faster; the layout of a few hundred points settles well before 500. */
  epochs?: number;
}

/**
 * 2-D UMAP layout (umap-js, seeded) of a bounded set of points, scaled into [0, 1]².
 * Tiny sets, where UMAP's neighbour graph is undefined, are laid on a circle.
 */
export function project2d(points: ArrayLike<number>[], opts: ProjectionOptions): [number, number][] {
  const n = points.length;
  if (n < 4) return points.map((_, i) => [0.5 + 0.4 * Math.cos((2 * Math.PI * i) / Math.max(1, n)), 0.5 + 0.4 * Math.sin((2 * Math.PI * i) / Math.max(1, n))]);
  const k = Math.min(15, n - 1);
  const umap = new UMAP({ nComponents: 2, nNeighbors: k, minDist: 0.1, nEpochs: opts.epochs ?? 150, random: mulberry32(opts.seed) });
  // Exact neighbours of a few hundred points cost less than umap-js's approximate NN-descent.
  const { indices, distances } = exactKnn(points, k);
  umap.setPrecomputedKNN(indices, distances);
  return normalize(umap.fit(points.map((p) => Array.from(p))));
}

/** Each point's k nearest others (itself first, as UMAP expects), by Euclidean distance. */
export function exactKnn(points: ArrayLike<number>[], k: number): { indices: number[][]; distances: number[][] } {
  const dist = distanceMatrix(points);
  const n = points.length;
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = dist.subarray(i * n, (i + 1) * n);
    // Nearer first; at equal distance the point itself, then the lower index: a total order, so
    // keeping the k best by insertion gives what sorting the whole row would (a full sort per row was 15× dearer).
    const before = (a: number, b: number) => row[a]! < row[b]! || (row[a] === row[b] && (a === i || (b !== i && a < b)));
    const nearest: number[] = [];
    for (let j = 0; j < n; j++) {
      if (nearest.length === k && !before(j, nearest[k - 1]!)) continue;
      let at = nearest.length === k ? k - 1 : nearest.length;
      while (at > 0 && before(j, nearest[at - 1]!)) {
        nearest[at] = nearest[at - 1]!;
        at--;
      }
      nearest[at] = j;
    }
    indices.push(nearest);
    distances.push(nearest.map((j) => row[j]!));
  }
  return { indices, distances };
}

function normalize(xy: number[][]): [number, number][] {
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (const p of xy) {
    for (let d = 0; d < 2; d++) {
      lo[d] = Math.min(lo[d]!, p[d]!);
      hi[d] = Math.max(hi[d]!, p[d]!);
    }
  }
  const scale = (v: number, d: number) => (hi[d]! > lo[d]! ? (v - lo[d]!) / (hi[d]! - lo[d]!) : 0.5);
  return xy.map((p) => [scale(p[0]!, 0), scale(p[1]!, 1)]);
}
