import type { Metric } from '../vectors/vector-index.js';

/** An item a batch opens, not in the near-duplicate index yet: it gets its id at the insert. */
interface Opened<T> {
  vector: Float32Array;
  norm: number;
  value: T;
}

/**
 * The items one ingest batch opens, searched by brute force for near-duplicates among the
 * batch's later predictions, so that the batch's items go to the database in one insert and to
 * the index after it. Distances as the index reports them: 1 − cos under cosine, Euclidean
 * under l2, on the float32 values the index stores.
 */
export class BatchDuplicates<T> {
  readonly opened: Opened<T>[] = [];

  constructor(private readonly metric: Metric) {}

  add(embedding: ArrayLike<number>, value: T): void {
    const vector = Float32Array.from(embedding);
    this.opened.push({ vector, norm: norm(vector), value });
  }

  /** The nearest opened item within `radius`, with its distance, or undefined. */
  nearest(embedding: ArrayLike<number>, radius: number): { value: T; distance: number } | undefined {
    const query = Float32Array.from(embedding);
    const queryNorm = norm(query);
    let best: { value: T; distance: number } | undefined;
    for (const o of this.opened) {
      const d = this.distance(query, queryNorm, o);
      if (d <= radius && (!best || d < best.distance)) best = { value: o.value, distance: d };
    }
    return best;
  }

  private distance(q: Float32Array, qNorm: number, o: Opened<T>): number {
    let dot = 0;
    let sq = 0;
    for (let i = 0; i < q.length; i++) {
      dot += q[i]! * o.vector[i]!;
      const d = q[i]! - o.vector[i]!;
      sq += d * d;
    }
    if (this.metric === 'l2') return Math.sqrt(sq);
    return qNorm === 0 || o.norm === 0 ? 1 : 1 - dot / (qNorm * o.norm);
  }
}

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}
