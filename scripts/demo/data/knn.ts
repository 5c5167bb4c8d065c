/** A neighbour found by {@link nearestNeighbours}: row index and cosine similarity. */
export interface Neighbour {
  index: number;
  similarity: number;
}

/**
 * Brute-force k nearest rows of `refs` (n × dim, unit length) to one query
 * by cosine similarity, best first. Exact, so it is the yardstick for HNSW.
 */
export function nearestNeighbours(refs: Float32Array, dim: number, query: ArrayLike<number>, k: number): Neighbour[] {
  const best: Neighbour[] = [];
  const rows = refs.length / dim;
  for (let r = 0; r < rows; r++) {
    let sim = 0;
    const base = r * dim;
    for (let j = 0; j < dim; j++) sim += (refs[base + j] as number) * (query[j] as number);
    if (best.length < k || sim > (best[best.length - 1] as Neighbour).similarity) {
      let at = Math.min(best.length, k - 1);
      while (at > 0 && (best[at - 1] as Neighbour).similarity < sim) at--;
      best.splice(at, 0, { index: r, similarity: sim });
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/** Majority vote of the neighbours' labels; ties go to the larger summed similarity. */
export function voteLabel(neighbours: readonly Neighbour[], labels: readonly string[]): string {
  const tally = new Map<string, { votes: number; weight: number }>();
  for (const n of neighbours) {
    const label = labels[n.index] as string;
    const entry = tally.get(label) ?? { votes: 0, weight: 0 };
    entry.votes += 1;
    entry.weight += n.similarity;
    tally.set(label, entry);
  }
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
  const out: string[] = [];
  for (let q = 0; q < queries.length / dim; q++) {
    out.push(voteLabel(nearestNeighbours(refs, dim, queries.subarray(q * dim, (q + 1) * dim), k), labels));
  }
  return out;
}

/** Mean cosine distance (1 − similarity) to the k nearest refs, per query: the raw OOD distance. */
export function meanKnnDistances(refs: Float32Array, queries: Float32Array, dim: number, k: number): number[] {
  const out: number[] = [];
  for (let q = 0; q < queries.length / dim; q++) {
    const neighbours = nearestNeighbours(refs, dim, queries.subarray(q * dim, (q + 1) * dim), k);
    out.push(neighbours.reduce((sum, n) => sum + (1 - n.similarity), 0) / neighbours.length);
  }
  return out;
}
