import { norm } from '../util/vectors.js';
import type { Metric, Neighbors } from './vector-index.js';

/** A vector as an HNSW index compares it: its float32 values, and their norm. */
export interface Float32Point {
  vector: Float32Array;
  norm: number;
}

export function float32Point(values: ArrayLike<number>): Float32Point {
  const vector = Float32Array.from(values);
  return { vector, norm: norm(vector) };
}

/**
 * The distance an HNSW index reports between two points, for a search by brute force beside it:
 * 1 − cos under cosine (1 when either point is zero), Euclidean under l2.
 */
export function indexDistance(metric: Metric, a: Float32Point, b: Float32Point): number {
  if (metric === 'l2') {
    let sq = 0;
    for (let i = 0; i < a.vector.length; i++) {
      const d = a.vector[i]! - b.vector[i]!;
      sq += d * d;
    }
    return Math.sqrt(sq);
  }
  if (a.norm === 0 || b.norm === 0) return 1;
  let dot = 0;
  for (let i = 0; i < a.vector.length; i++) dot += a.vector[i]! * b.vector[i]!;
  return 1 - dot / (a.norm * b.norm);
}

/** The k nearest of several answers to one query, nearest first (of equal distances, the earlier answer's first). */
export function nearestOf(answers: readonly Neighbors[], k: number): Neighbors {
  const all = answers.flatMap((a) => a.labels.map((label, i) => ({ label, distance: a.distances[i]! })));
  all.sort((a, b) => a.distance - b.distance);
  const nearest = all.slice(0, k);
  return { labels: nearest.map((n) => n.label), distances: nearest.map((n) => n.distance) };
}
