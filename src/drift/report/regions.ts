import type { Metric } from '../../vectors/vector-index.js';
import { metricDistance } from '../sampling/embedding-space.js';

/**
 * Single-linkage grouping: two points closer than `radius` share a group, transitively.
 * O(n²) distances, so callers bound n. Groups come largest first, members in input order.
 */
export function linkRegions(vectors: Float32Array[], radius: number, metric: Metric): number[][] {
  const n = vectors.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (find(i) === find(j)) continue;
      if (metricDistance(vectors[i]!, vectors[j]!, metric) <= radius) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(i);
    else groups.set(root, [i]);
  }
  return [...groups.values()].sort((a, b) => b.length - a.length || a[0]! - b[0]!);
}

/** Mean of the member vectors; unit-normalised under cosine, so it is a direction again. */
export function centroid(vectors: Float32Array[], members: number[], metric: Metric): Float32Array {
  const d = vectors[members[0]!]!.length;
  const c = new Float32Array(d);
  for (const m of members) {
    const v = vectors[m]!;
    for (let i = 0; i < d; i++) c[i]! += v[i]! / members.length;
  }
  if (metric === 'cosine') {
    let s = 0;
    for (let i = 0; i < d; i++) s += c[i]! * c[i]!;
    const norm = Math.sqrt(s);
    if (norm > 0) for (let i = 0; i < d; i++) c[i]! /= norm;
  }
  return c;
}

/** The `count` members nearest to the centroid: the region's most typical inputs. */
export function representatives(vectors: Float32Array[], members: number[], center: Float32Array, metric: Metric, count: number): number[] {
  return members
    .map((m) => ({ m, d: metricDistance(vectors[m]!, center, metric) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, count)
    .map((x) => x.m);
}
