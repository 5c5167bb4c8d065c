/** Distance metric of a model's embedding space. */
export type Metric = 'cosine' | 'l2';

/** k nearest neighbours of one query, nearest first. */
export interface Neighbors {
  labels: number[];
  /** Cosine distance (1 − cos) or Euclidean distance. */
  distances: number[];
}

/** A point to add: its label and its vector. */
export interface IndexPoint {
  label: number;
  vector: ArrayLike<number>;
}

/** The smallest approximate-nearest-neighbour surface the domain needs. */
export interface VectorIndex {
  readonly metric: Metric;
  readonly dim: number;
  readonly size: number;
  add(label: number, vector: ArrayLike<number>): void;
  /**
   * Adds points in order, as `add` one by one would, with a turn of the event loop whenever the
   * inserts have run long. A replicated index hands them all to its replicas first and then
   * inserts them here, so both copies grow at once on two cores.
   */
  addMany(points: readonly IndexPoint[]): Promise<void>;
  search(vector: ArrayLike<number>, k: number): Neighbors;
  /**
   * Searches `dim`-long queries packed one after another; may run off the main thread. A caller
   * that would only wait for the answer may offer to take a share of it (`here`, 0–1): while
   * the search threads are short (a bulk load holds all replicas but one back), the last part of
   * the queries is then searched on the calling thread while the rest runs elsewhere.
   */
  searchMany(queries: Float64Array, k: number, here?: number): Promise<Neighbors[]>;
  has(label: number): boolean;
  /** The stored vector of `label` (unit-normalised under cosine). */
  vector(label: number): number[];
  /** Writes the index to `file` atomically (temp file, then rename). */
  save(file: string): void;
  /** Writes the index to `tmp` only: `save` in steps, for the check to run elsewhere (`index-file.ts`). */
  write(file: string, tmp?: string): WrittenIndex;
  /**
   * `write` done off the event loop, so it only posts it: by a search thread holding a replica
   * of the graph, or by a libuv thread on this graph (adds wait meanwhile, searched exactly, and
   * go in once it is written). The file holds the index as it is when this is called, whatever
   * is added after. Undefined when no other thread can, and the caller writes here.
   */
  writeElsewhere?(file: string, tmp: string): Promise<WrittenIndex> | undefined;
}

/** An index `write` put in a temp file: still to be checked, then moved over `file` (`commitIndex`). */
export interface WrittenIndex {
  file: string;
  tmp: string;
  metric: Metric;
  dim: number;
  /** Points the index held when it was written. */
  count: number;
}
