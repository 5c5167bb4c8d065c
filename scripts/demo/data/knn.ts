import { DEFAULT_HNSW, HnswIndex } from '../../../src/vectors/hnsw-index.js';
import type { Neighbors } from '../../../src/vectors/vector-index.js';

// The baseline figures must be exact: on the builder's few thousand rows this search width
// returns the true neighbours (test/demo/baseline.test.ts reproduces the manifest with it;
// the shipped width of 96 moves one figure by 0.15 points).
const EXACT_ENOUGH_EF = 1000;

/**
 * k-NN over `refs` (n × dim rows, unit length) with the product's own vector index, the one
 * the service scores predictions with.
 */
function neighboursOfEach(refs: Float32Array, queries: Float32Array, dim: number, k: number): Neighbors[] {
  const index = HnswIndex.create('cosine', dim, { ...DEFAULT_HNSW, efSearch: EXACT_ENOUGH_EF });
  for (let row = 0; row < refs.length / dim; row++) index.add(row, refs.subarray(row * dim, (row + 1) * dim));
  const found: Neighbors[] = [];
  for (let q = 0; q < queries.length / dim; q++) found.push(index.search(queries.subarray(q * dim, (q + 1) * dim), k));
  return found;
}

/** Majority vote of the neighbours' labels; ties go to the larger summed similarity. */
export function voteLabel(neighbours: Neighbors, labels: readonly string[]): string {
  const tally = new Map<string, { votes: number; weight: number }>();
  neighbours.labels.forEach((row, i) => {
    const label = labels[row] as string;
    const entry = tally.get(label) ?? { votes: 0, weight: 0 };
    entry.votes += 1;
    entry.weight += 1 - (neighbours.distances[i] as number);
    tally.set(label, entry);
  });
  let winner = '';
  let top = { votes: -1, weight: -Infinity };
  for (const [label, entry] of tally) {
    if (entry.votes > top.votes || (entry.votes === top.votes && entry.weight > top.weight)) {
      winner = label;
      top = entry;
    }
  }
  return winner;
}

export function knnClassify(refs: Float32Array, labels: readonly string[], queries: Float32Array, dim: number, k: number): string[] {
  return neighboursOfEach(refs, queries, dim, k).map((n) => voteLabel(n, labels));
}

/** Mean cosine distance to the k nearest refs, per query: the raw OOD distance. */
export function meanKnnDistances(refs: Float32Array, queries: Float32Array, dim: number, k: number): number[] {
  return neighboursOfEach(refs, queries, dim, k).map((n) => n.distances.reduce((sum, d) => sum + d, 0) / n.distances.length);
}
