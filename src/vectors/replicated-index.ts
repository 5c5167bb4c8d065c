import { searchEach, type HnswIndex } from './hnsw-index.js';
import type { WrittenIndex } from './index-file.js';
import type { SearchReplicas } from './search-replicas.js';
import type { Metric, Neighbors, VectorIndex } from './vector-index.js';

/**
 * Adds between two `settle` calls (a poll of the follower, about a second) from which on the
 * load counts as bulk: all replicas but one hold their adds back until it quiets.
 */
export const BULK_ADDS = 500;

/**
 * An HNSW index on the main thread whose batch searches run on read replicas in search
 * threads, once `replicate` has loaded them. The replica starts from the same saved
 * file as this index and receives every later add in the same order, so all answer every
 * query identically; while there is no replica, batch searches run here.
 */
export class ReplicatedIndex implements VectorIndex {
  private worker: SearchReplicas | undefined;
  private recentAdds = 0;

  constructor(
    private readonly local: HnswIndex,
    private readonly key: number,
  ) {}

  get metric(): Metric {
    return this.local.metric;
  }

  get dim(): number {
    return this.local.dim;
  }

  get size(): number {
    return this.local.size;
  }

  /** The file the local index was loaded from, while nothing has been added since. */
  get origin(): string | undefined {
    return this.local.origin;
  }

  has(label: number): boolean {
    return this.local.has(label);
  }

  vector(label: number): number[] {
    return this.local.vector(label);
  }

  add(label: number, vector: ArrayLike<number>): void {
    if (this.local.has(label)) return;
    this.local.add(label, vector);
    this.worker?.add(this.key, label, vector);
    // Every replica inserting every point of a bulk load multiplies its cost by the threads; one keeps up.
    if (++this.recentAdds === BULK_ADDS) this.worker?.holdBack(this.key);
  }

  /**
   * Call at intervals (each poll): when fewer than `BULK_ADDS` points came since the last call,
   * the replicas that held adds back insert them now, off the main thread.
   */
  async settle(): Promise<void> {
    const quiet = this.recentAdds < BULK_ADDS;
    this.recentAdds = 0;
    if (quiet && this.worker?.heldBack(this.key)) await this.worker.catchUp(this.key);
  }

  /** Whether a replica is behind (holding adds back during a bulk load). */
  get behind(): boolean {
    return this.worker?.heldBack(this.key) ?? false;
  }

  search(vector: ArrayLike<number>, k: number): Neighbors {
    return this.local.search(vector, k);
  }

  async searchMany(queries: Float64Array, k: number): Promise<Neighbors[]> {
    if (this.worker?.ready(this.key)) {
      try {
        return await this.worker.search(this.key, queries, k);
      } catch {
        // The worker died mid-search (it logs that): answer here.
      }
    }
    return searchEach(this.local, queries, k);
  }

  save(file: string): void {
    this.local.save(file);
  }

  write(file: string, tmp?: string): WrittenIndex {
    return this.local.write(file, tmp);
  }

  /**
   * Loads a replica in `worker` from `file`, which must hold this index as `save` just wrote
   * it, and must not change until this resolves. Adds made meanwhile reach the replica after the load.
   */
  async replicate(worker: SearchReplicas, file: string): Promise<void> {
    this.local.reopen(file);
    this.worker = worker;
    await worker.load(this.key, { file, metric: this.metric, dim: this.dim, params: this.local.params });
  }
}
