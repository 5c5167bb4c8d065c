import type { HnswIndex, HnswParams } from './hnsw-index.js';
import type { Metric, VectorIndex } from './vector-index.js';

/** The embedding space a derived index lives in (a model satisfies it). */
export interface IndexSpace {
  readonly id: number;
  readonly name: string;
  readonly metric: Metric;
  readonly embeddingDim: number;
}

/** What every saved state file holds; a kind adds its own fields beside these. */
export interface SavedHeader {
  version: 1;
  metric: string;
  dim: number;
  highWater: number;
  [field: string]: unknown;
}

/** Where instances publish snapshots of their derived indexes, and where a new instance fetches them. */
export interface SnapshotStore {
  /** The newest published snapshot's high-water mark, or undefined when there is none. */
  highWater(modelId: number, kind: string): Promise<number | undefined>;
  /** The newest published snapshot's high-water mark and files (with their sizes and SHA-256s), or undefined. */
  latest(modelId: number, kind: string): Promise<PublishedSnapshot | undefined>;
  /** Writes the newest snapshot's files into `dir`, each checked against its checksum; false when there is none. */
  fetch(modelId: number, kind: string, dir: string): Promise<boolean>;
  /** Publishes the files (in restore order) as the newest snapshot, unless one as new is there already; true when it did. */
  publish(modelId: number, kind: string, highWater: number, files: { name: string; path: string }[]): Promise<boolean>;
}

/** A published snapshot as listed in the store. */
export interface PublishedSnapshot {
  highWater: number;
  files: { name: string; bytes: number; sha256: string }[];
}

/** When `saveAll` publishes snapshots. */
export type Publication = 'due' | 'now' | 'never';

/** Where an open structure came from: its own saved files, another instance's snapshot, or the database alone. */
export type IndexOrigin = 'saved' | 'snapshot' | 'rebuilt';

/** How a model's structure was opened, for logs and tests. */
export interface IndexOpening {
  from: IndexOrigin;
  /** Rows added after the loaded high-water mark while opening. */
  caughtUp: number;
}

export interface SnapshotOptions {
  store: SnapshotStore;
  /**
   * Continue from the newest published snapshot: open from it (rather than from this
   * instance's own newer files), and switch to each newer one at `rebase`. hnswlib draws a new
   * point's graph level from a generator that loading a file resets, so two copies of an
   * index grow identically only from the same loaded file; instances that all continue from
   * the same published files and add the same rows in the same order keep byte-identical
   * graphs, and with them the same searches and calibration.
   */
  follow?: boolean;
  /** Least time between two publications by this instance, in the clock's milliseconds. */
  publishEveryMs: number;
  now: () => number;
}

/**
 * One kind of derived index (a model's reference set, its near-duplicate index): the parts
 * that differ. Everything else (files, checks, catch-up, saving) is `DerivedIndexes`.
 * `Source` is where rows come from (the database or an open transaction).
 */
export interface DerivedIndexKind<T, Row, Source, Space extends IndexSpace = IndexSpace> {
  /** Names the index in logs ("reference index"). */
  readonly label: string;
  /** Names the kind in published snapshots ("reference"). */
  readonly key: string;
  /** File names in the model's folder: the HNSW files, in the order `indexesOf` returns them, and the state. */
  readonly files: { readonly indexes: readonly string[]; readonly state: string };
  readonly params: HnswParams;
  /** Rows read per catch-up query. */
  readonly pageSize: number;
  /** An empty structure over fresh indexes, given in `files.indexes` order. */
  create(space: Space, indexes: HnswIndex[]): T;
  /** False when the saved state cannot serve `space` as it is now (checked before the files load). */
  accepts?(space: Space, state: SavedHeader): boolean;
  /** The structure over loaded indexes and its saved state; undefined when they disagree. */
  restore(space: Space, indexes: HnswIndex[], state: SavedHeader): T | undefined;
  indexesOf(t: T): VectorIndex[];
  /** The kind's own fields of the state file. */
  stateOf(t: T): Record<string, unknown>;
  highWater(t: T): number;
  /** True when a loaded structure still matches the source up to its high-water mark. */
  agrees(source: Source, space: Space, t: T): Promise<boolean>;
  /** Rows after the high-water mark `after`, oldest first, at most `limit`. */
  page(source: Source, space: Space, after: number, limit: number): Promise<Row[]>;
  /** Adds rows (one page, oldest first) and moves the high-water mark. */
  apply(t: T, rows: Row[]): void | Promise<void>;
  /** Fields of the "ready" log line. */
  describe(t: T, space: Space): Record<string, unknown>;
}
