import type { HnswParams } from './hnsw-index.js';
import type { Metric } from './vector-index.js';

/** What a replica is: the saved index it starts from and how to open it. */
export interface ReplicaSpec {
  file: string;
  metric: Metric;
  dim: number;
  params: HnswParams;
}

/** Messages to the search thread; it handles them strictly in order. */
export type ToSearchThread =
  | { op: 'load'; id: number; key: number; spec: ReplicaSpec }
  /**
   * Adds, in order: `vectors` packs one `vectors.length / labels.length`-long vector per label.
   * Float32 when the original was given float32 values (read from the database): exact, and half the copy.
   */
  | { op: 'add'; key: number; labels: Float64Array; vectors: Float64Array | Float32Array }
  /** Keep the later adds of `key` without inserting them, until `resume`. */
  | { op: 'defer'; key: number }
  /** Insert the adds kept since `defer`, in order, then answer `loaded`. */
  | { op: 'resume'; id: number; key: number }
  | { op: 'search'; id: number; key: number; k: number; queries: Float64Array }
  /** Writes the replica `key` to `tmp` as `HnswIndex.write` does, after every add posted before; refused while it holds adds back. */
  | { op: 'write'; id: number; key: number; file: string; tmp: string }
  /** Frees the replica `key` and whatever adds it kept; later messages for it find none. */
  | { op: 'drop'; key: number }
  /** After every earlier message: drop the replicas and let the thread end by itself. */
  | { op: 'close' };

/** Answers from the search thread. `found` packs `counts[i]` neighbours of query i at `i * stride`. */
export type FromSearchThread =
  | { op: 'loaded'; id: number; size: number }
  | { op: 'found'; id: number; stride: number; counts: Uint32Array; labels: Float64Array; distances: Float64Array }
  /** The replica is in the temp file, with `count` points. */
  | { op: 'written'; id: number; count: number }
  | { op: 'failed'; id: number; message: string };
