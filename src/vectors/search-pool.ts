import type { Logger } from 'pino';
import type { SearchReplicas } from './search-replicas.js';
import { SearchWorker } from './search-worker.js';
import type { ReplicaSpec } from './search-worker.protocol.js';
import type { Neighbors } from './vector-index.js';

/**
 * A batch search is split among the ready threads only when each part holds at least this many
 * queries. Split into parts of 10, batches of 20 cost the search threads more CPU for the same
 * work: on the quiet machine (2026-12-01 19:27–19:31 UTC, `npm run bench -- queue --database
 * postgres`, alternating) 189–190 ms/s split against 171–174 whole at about the same ingestion,
 * with claim p99 20.1 / 19.2 ms split against 18.0 / 20.6 whole (no difference in the tail).
 * Batches of 64 and more (the ingest benchmark's 100) still split.
 */
export const MIN_QUERIES_PER_PART = 32;

/**
 * Several search threads, each holding an exact replica of every replicated index, so batch
 * searches use every core. A batch search is split into one part per ready thread, in order
 * (see {@link SearchPool.search}); a smaller one goes to the ready thread with the fewest
 * requests waiting (ties in turn). hnswlib-node keeps each graph in native memory owned by the thread that loaded
 * it (no SharedArrayBuffer backing, no way to hand an index to another thread), so every
 * thread holds its own copy: memory grows by one index per thread.
 * With size 0 there are no threads and every search runs on the main thread.
 */
export class SearchPool implements SearchReplicas {
  private readonly workers: SearchWorker[];
  private turn = 0;
  /** The dimension of each replicated index, from its spec: how many numbers one query takes. */
  private readonly dims = new Map<number, number>();

  constructor(log: Logger, size: number, niceness = 0) {
    this.workers = Array.from({ length: size }, (_, i) => new SearchWorker(log.child({ searchThread: i }), `driftloop-search-${i}`, niceness));
  }

  /** The threads, in a fixed order. */
  get members(): readonly SearchWorker[] {
    return this.workers;
  }

  start(): void {
    for (const w of this.workers) w.start();
  }

  onRestart(listener: () => void): void {
    for (const w of this.workers) w.onRestart(listener);
  }

  ready(key: number): boolean {
    return this.workers.some((w) => w.ready(key));
  }

  /** How many threads hold a ready replica of `key`. */
  readyCount(key: number): number {
    return this.workers.filter((w) => w.ready(key)).length;
  }

  /** Loads the replica in every thread; fails only when no thread could load it (the others still serve). */
  async load(key: number, spec: ReplicaSpec): Promise<void> {
    this.dims.set(key, spec.dim);
    const results = await Promise.allSettled(this.workers.map((w) => w.load(key, spec)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && !this.ready(key)) throw failed.reason;
  }

  add(key: number, label: number, vector: ArrayLike<number>): void {
    for (const w of this.workers) w.add(key, label, vector);
  }

  flush(): void {
    for (const w of this.workers) w.flush();
  }

  /**
   * One ready thread keeps up; every other one holds its adds back. Which one turns with the key,
   * so indexes loaded in bulk together (a model's train and eval splits, consecutive keys) keep
   * up on different threads.
   */
  holdBack(key: number): void {
    const ready = this.workers.filter((w) => w.ready(key));
    const keeps = key % ready.length;
    ready.forEach((w, i) => {
      if (i !== keeps) w.defer(key);
    });
  }

  heldBack(key: number): boolean {
    return this.workers.some((w) => w.heldBack(key));
  }

  /** The ready thread with the shortest queue writes: during a bulk load, the one that keeps up. */
  write(key: number, file: string, tmp: string): Promise<number> | undefined {
    return this.pick(key)?.write(key, file, tmp);
  }

  drop(key: number): void {
    this.dims.delete(key);
    for (const w of this.workers) w.drop(key);
  }

  /** Fails only when no thread holds a ready replica afterwards (a failed thread restarts and is loaded again). */
  async catchUp(key: number): Promise<void> {
    const results = await Promise.allSettled(this.workers.map((w) => w.resume(key)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && !this.ready(key)) throw failed.reason;
  }

  /**
   * A batch of queries is split into one contiguous part per ready thread, each posted at once,
   * and the answers are joined in order: every thread holds an exact replica, so the answer is
   * the same as one thread's. Given whole to the shortest queue, a batch could wait behind
   * another on one thread while the other thread had nothing to do (and then the main thread,
   * storing batches in arrival order, waited too); split, every thread works on every batch in
   * arrival order, and a batch is answered in about half the time. Queries in shared memory are
   * posted as views of it; others are copied per part (a view of a plain buffer would post all of it).
   */
  search(key: number, queries: Float64Array, k: number): Promise<Neighbors[]> {
    const ready = this.workers.filter((w) => w.ready(key));
    const dim = this.dims.get(key) ?? 0;
    const count = dim > 0 ? queries.length / dim : 0;
    const parts = Math.min(ready.length, Math.floor(count / MIN_QUERIES_PER_PART));
    if (parts < 2 || !Number.isInteger(count)) {
      const worker = this.pick(key);
      if (!worker) return Promise.reject(new Error(`no search replica for key ${key}`));
      return worker.search(key, queries, k);
    }
    const shared = queries.buffer instanceof SharedArrayBuffer;
    const answers = ready.slice(0, parts).map((w, i) => {
      const [from, to] = [Math.round((count * i) / parts) * dim, Math.round((count * (i + 1)) / parts) * dim];
      return w.search(key, shared ? queries.subarray(from, to) : queries.slice(from, to), k);
    });
    return Promise.all(answers).then((found) => found.flat());
  }

  /** Waits for searches in flight, then ends every thread. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }

  /** The ready thread with the shortest queue; among equals, the next in turn. */
  private pick(key: number): SearchWorker | undefined {
    let best: SearchWorker | undefined;
    const n = this.workers.length;
    for (let i = 0; i < n; i++) {
      const w = this.workers[(this.turn + i) % n]!;
      if (w.ready(key) && (!best || w.depth < best.depth)) best = w;
    }
    this.turn = (this.turn + 1) % Math.max(1, n);
    return best;
  }
}
