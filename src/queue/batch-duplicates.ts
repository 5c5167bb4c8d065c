import { float32Point, indexDistance, type Float32Point } from '../vectors/index-distance.js';
import type { Metric } from '../vectors/vector-index.js';

/** An item a batch opens, not in the near-duplicate index yet: it gets its id at the insert. */
interface Opened<T> extends Float32Point {
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
    this.opened.push({ ...float32Point(embedding), value });
  }

  /** The nearest opened item within `radius`, with its distance, or undefined. */
  nearest(embedding: ArrayLike<number>, radius: number): { value: T; distance: number } | undefined {
    const query = float32Point(embedding);
    let best: { value: T; distance: number } | undefined;
    for (const o of this.opened) {
      const d = indexDistance(this.metric, query, o);
      if (d <= radius && (!best || d < best.distance)) best = { value: o.value, distance: d };
    }
    return best;
  }
}
