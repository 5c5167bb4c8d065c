import { describe, expect, it } from 'vitest';
import { ClusteredData } from '../support/clustered-data.js';
import { DEFAULT_HNSW, HnswIndex } from '../../src/vectors/hnsw-index.js';

function cosineDistance(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return 1 - dot / Math.sqrt(na * nb);
}

describe('HNSW recall at the shipped ef', () => {
  it('when 10k clustered 256-d points are indexed, then recall@10 against exact search is at least 0.95', () => {
    // Overlapping Gaussian clusters: a query's neighbours share its cluster, as with real embeddings;
    // uniform noise would make every point nearly equidistant and say nothing about recall.
    const data = new ClusteredData({ dim: 256, clusters: 100, spread: 0.8, seed: 11 });
    const points = Array.from({ length: 10_000 }, (_, i) => data.point(i % 100));
    const index = HnswIndex.create('cosine', 256);
    points.forEach((p, i) => index.add(i, p));
    const queries = Array.from({ length: 200 }, () => data.point(data.cluster()));
    let hits = 0;
    for (const q of queries) {
      const exact = points
        .map((p, i) => ({ i, d: cosineDistance(q, p) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, 10)
        .map((x) => x.i);
      const found = new Set(index.search(q, 10).labels);
      hits += exact.filter((i) => found.has(i)).length;
    }
    const recall = hits / (queries.length * 10);
    console.log(`recall@10 = ${recall.toFixed(4)} at efSearch=${DEFAULT_HNSW.efSearch}, M=${DEFAULT_HNSW.m}`);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});
