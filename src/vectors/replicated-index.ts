import { searchEachInTurns, type HnswIndex } from './hnsw-index.js';
import type { WrittenIndex } from './index-file.js';
import type { SearchReplicas } from './search-replicas.js';
import type { IndexPoint, Metric, Neighbors, VectorIndex } from './vector-index.js';

/**
 * Adds between two `settle` calls (a poll of the follower, about a second) from which on the
 * load counts as bulk: all replicas but one hold their adds back until it quiets.
 */
export const BULK_ADDS = 500;

/**
 * An HNSW index on the main thread whose batch searches run on read replicas in search
 * threads, once `replicate` has loaded them (a model's train and eval splits). The replica starts from the same saved
 * file as this index and receives every later add in the same order, so all answer every
 * query identically; while there is no replica, batch searches run here.
 */
export class ReplicatedIndex implements VectorIndex {
  private worker: SearchReplicas | undefined;
  private recentAdds = 0;

  constructor(
    private readonly local: HnswIndex,
    /** Names this index's replicas in the search threads: unique per index, never per model, since a set being replaced (a rebase) still answers until its successor is caught up. */
    readonly key: number,
    /**
     * An index loaded in bulk together with this one (the eval split's set's train split, which
     * gets four points for its one): while that one's replicas hold back, so do these, however
     * few points come here, and they catch up only once it has.
     */
    private readonly bulkWith?: ReplicatedIndex,
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
    this.forward(label, vector);
  }

  /**
   * Posts the new points to the replicas before inserting them here: posted after, a replica
   * began only once the main thread had inserted the whole batch, and a search that needs the
   * batch (the calibration of a bulk load's batch) waited for both insertions one after the other.
   * A point neither copy can take (a wrong length) ends the search thread, which then reloads
   * from this index's saved file, as for any add a replica fails.
   */
  async addMany(points: readonly IndexPoint[]): Promise<void> {
    const seen = new Set<number>();
    const fresh = points.filter((p) => !this.local.has(p.label) && !seen.has(p.label) && seen.add(p.label));
    for (const p of fresh) this.forward(p.label, p.vector);
    this.worker?.flush();
    await this.local.addMany(fresh);
  }

  private forward(label: number, vector: ArrayLike<number>): void {
    this.worker?.add(this.key, label, vector);
    // Every replica inserting every point of a bulk load multiplies its cost by the threads; one keeps up.
    if (++this.recentAdds === BULK_ADDS || (this.bulkWith?.behind && !this.behind)) this.worker?.holdBack(this.key);
  }

  /**
   * Call at intervals (each poll): when fewer than `BULK_ADDS` points came since the last call,
   * the replicas that held adds back insert them now, off the main thread.
   */
  async settle(): Promise<void> {
    const quiet = this.recentAdds < BULK_ADDS && !this.bulkWith?.behind;
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

  async searchMany(queries: Float64Array, k: number, here = 0): Promise<Neighbors[]> {
    if (this.worker?.ready(this.key)) {
      const count = queries.length / this.dim;
      // Only while replicas hold adds back (a bulk load): otherwise every thread takes a part, and the event loop none.
      const split = (count - Math.round(count * (this.behind ? here : 0))) * this.dim;
      // Posted before this thread searches its share, so the two run at once; every copy answers
      // alike. Caught at once: it may fail while this thread is still searching.
      const there = split === 0 ? Promise.resolve([]) : this.worker.search(this.key, split === queries.length ? queries : queries.slice(0, split), k).catch(() => undefined);
      const mine = split === queries.length ? [] : await searchEachInTurns(this.local, queries.subarray(split), k);
      // The worker died mid-search (it logs that): its part is answered here.
      const theirs = (await there) ?? (await searchEachInTurns(this.local, queries.subarray(0, split), k));
      return mine.length === 0 ? theirs : [...theirs, ...mine];
    }
    return searchEachInTurns(this.local, queries, k);
  }

  save(file: string): void {
    this.local.save(file);
  }

  write(file: string, tmp?: string): WrittenIndex {
    return this.local.write(file, tmp);
  }

  writeElsewhere(file: string, tmp: string): Promise<WrittenIndex> | undefined {
    const count = this.local.size;
    // After the adds forwarded so far, which the replica applies first: the file holds this index as it is now.
    const written = this.worker?.write(this.key, file, tmp);
    return written?.then((found) => {
      if (found !== count) throw new Error(`the replica wrote ${found} points of this index's ${count}`);
      return { file, tmp, metric: this.metric, dim: this.dim, count };
    });
  }

  /** Frees this index's replicas; its searches run here from now on (it is being replaced). */
  detach(): void {
    this.worker?.drop(this.key);
    this.worker = undefined;
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
