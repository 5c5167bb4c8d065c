import type { ReplicaSpec } from './search-worker.protocol.js';
import type { Neighbors } from './vector-index.js';

/**
 * Read replicas of indexes, kept off the main thread, that answer batch searches. A replica
 * starts from a saved index and receives every later add in the same order as its original.
 * One search thread (`SearchWorker`) and a pool of them (`SearchPool`) both offer it.
 */
export interface SearchReplicas {
  /** Whether searches for `key` can be answered off the main thread now. */
  ready(key: number): boolean;
  /** Loads (or replaces) the replica `key` from a saved index; adds posted after this call apply after the load. */
  load(key: number, spec: ReplicaSpec): Promise<void>;
  /** Forwards an add to the replica `key`, where one is loaded or loading. */
  add(key: number, label: number, vector: ArrayLike<number>): void;
  /** Posts the adds forwarded so far now, rather than when the current task ends. */
  flush(): void;
  /** The k nearest neighbours of each `dim`-long query packed in `queries`, from a replica of `key`. */
  search(key: number, queries: Float64Array, k: number): Promise<Neighbors[]>;
  /**
   * Lets every replica of `key` but one fall behind: they keep later adds without inserting
   * them (a bulk load then inserts each point twice, here and in that one replica, not once
   * per thread). Searches go to the replica that keeps up.
   */
  holdBack(key: number): void;
  /** Whether some replica of `key` holds adds back. */
  heldBack(key: number): boolean;
  /**
   * Writes a replica of `key` that holds no adds back to `tmp`, after every add forwarded so far,
   * and resolves to its count of points; undefined when no such replica is ready.
   */
  write(key: number, file: string, tmp: string): Promise<number> | undefined;
  /** Frees every replica of `key`: searches of it go elsewhere from now on, and adds to it are dropped. */
  drop(key: number): void;
  /** Makes the replicas held back insert what they kept; each answers searches again once it has. */
  catchUp(key: number): Promise<void>;
  /** Calls `listener` after a search thread restarted (its replicas are gone and must be loaded again). */
  onRestart(listener: () => void): void;
}
