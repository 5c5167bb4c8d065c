import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { plainArray } from '../util/vectors.js';
import { workerEntryUrl } from '../util/worker-entry.js';
import type { ThreadSetup } from '../util/thread-priority.js';
import type { SearchReplicas } from './search-replicas.js';
import type { FromSearchThread, ReplicaSpec, ToSearchThread } from './search-worker.protocol.js';
import type { Neighbors } from './vector-index.js';

interface Pending {
  resolve(message: FromSearchThread): void;
  reject(err: Error): void;
}

const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 60_000;

/**
 * A thread that answers k-NN searches from read replicas of train indexes, so that
 * hnswlib's synchronous search does not block the event loop. Messages to it are handled
 * in the order they are posted, which is what keeps a replica identical to its original.
 * When the thread dies it is restarted; replicas must then be loaded again (`onRestart`).
 */
export class SearchWorker implements SearchReplicas {
  private thread: Worker | undefined;
  /** Per key: loading, answering, holding its adds back (`defer`), or inserting them (`resume`). */
  private readonly replicas = new Map<number, 'loading' | 'ready' | 'deferred' | 'resuming'>();
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly restartListeners: (() => void)[] = [];
  /** Adds not posted yet, in order, grouped by replica. */
  private outbox: { key: number; labels: number[]; vectors: (Float32Array | Float64Array)[] }[] = [];
  private nextId = 1;
  private startedAt = 0;
  private restartDelay = FIRST_RESTART_DELAY_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly name = 'driftloop-search',
    private readonly niceness = 0,
  ) {}

  /** Requests posted and not yet answered: how far behind the thread is. */
  get depth(): number {
    return this.pending.size;
  }

  /** Starts the thread. */
  start(): void {
    if (this.thread || this.closed) return;
    const thread = new Worker(workerEntryUrl('search.worker', import.meta.url), { name: this.name, workerData: { niceness: this.niceness, threadName: this.name.replace(/^driftloop-/, 'dl-') } satisfies ThreadSetup });
    // Referenced from start to close, so an awaited answer (a replica loading before the server
    // listens) always keeps the process alive: its 'message' listener references the thread's
    // port, which is why the `unref()` this line had before was without effect.
    thread.on('message', (message: FromSearchThread) => this.settle(message));
    thread.on('error', (err) => this.log.error({ err }, 'search worker failed'));
    thread.on('exit', (code) => this.exited(thread, code));
    this.thread = thread;
    this.startedAt = performance.now();
  }

  /** Calls `listener` after each restart, once the new thread accepts messages. */
  onRestart(listener: () => void): void {
    this.restartListeners.push(listener);
  }

  /** Whether searches for `key` can be answered by the thread now. */
  ready(key: number): boolean {
    return this.replicas.get(key) === 'ready';
  }

  /** Loads (or replaces) the replica `key` from a saved index; adds posted after this call apply after the load. */
  async load(key: number, spec: ReplicaSpec): Promise<void> {
    if (!this.thread) throw new Error('search worker is not running');
    this.replicas.set(key, 'loading');
    try {
      const answer = await this.request({ op: 'load', id: this.nextId++, key, spec });
      if (answer.op !== 'loaded') throw new Error(answer.op === 'failed' ? answer.message : `unexpected answer ${answer.op}`);
      this.replicas.set(key, 'ready');
    } catch (err) {
      this.replicas.delete(key);
      throw err;
    }
  }

  /**
   * Forwards an add to the replica `key`, if the thread has (or is loading) one. Adds go out
   * together, in one message, before the next other message or once this task ends: posting
   * one message per point cost the main thread more than the thread's insertion saved.
   */
  add(key: number, label: number, vector: ArrayLike<number>): void {
    if (!this.thread || !this.replicas.has(key)) return;
    const last = this.outbox.at(-1);
    const batch = last?.key === key && last.vectors[0]!.length === vector.length ? last : { key, labels: [], vectors: [] };
    if (batch !== last) this.outbox.push(batch);
    if (this.outbox.length === 1 && batch.labels.length === 0) queueMicrotask(() => this.flush());
    batch.labels.push(label);
    // A copy: the caller may reuse its array before the batch goes out.
    batch.vectors.push(vector instanceof Float32Array ? vector.slice() : Float64Array.from(vector));
  }

  /** A single thread is the one replica that keeps up: it never holds adds back. */
  holdBack(): void {}

  heldBack(key: number): boolean {
    return this.replicas.get(key) === 'deferred';
  }

  catchUp(key: number): Promise<void> {
    return this.resume(key);
  }

  /**
   * From now on the thread keeps the adds of `key` instead of inserting them, and answers no
   * search of it, until `resume`: a replica that falls behind costs no CPU while a bulk load runs.
   */
  defer(key: number): void {
    const state = this.replicas.get(key);
    if (!this.thread || (state !== 'ready' && state !== 'resuming')) return;
    this.post({ op: 'defer', key });
    this.replicas.set(key, 'deferred');
  }

  /** Inserts the adds kept since `defer`, in order; the replica answers again once they are in. */
  async resume(key: number): Promise<void> {
    if (!this.thread || this.replicas.get(key) !== 'deferred') return;
    this.replicas.set(key, 'resuming');
    try {
      // Not awaited by `close`: a thread that closes drops what it kept.
      const answer = await this.request({ op: 'resume', id: this.nextId++, key }, false);
      if (answer.op !== 'loaded') throw new Error(answer.op === 'failed' ? answer.message : `unexpected answer ${answer.op}`);
      // Deferred again (or reloaded) meanwhile: that later state stands.
      if (this.replicas.get(key) === 'resuming') this.replicas.set(key, 'ready');
    } catch (err) {
      if (this.replicas.get(key) === 'resuming') this.replicas.delete(key);
      throw err;
    }
  }

  /** The k nearest neighbours of each `dim`-long query packed in `queries`, from the replica `key`. */
  async search(key: number, queries: Float64Array, k: number): Promise<Neighbors[]> {
    if (!this.ready(key)) throw new Error(`no search replica for key ${key}`);
    const answer = await this.request({ op: 'search', id: this.nextId++, key, k, queries });
    if (answer.op !== 'found') {
      const message = answer.op === 'failed' ? answer.message : `unexpected answer ${answer.op}`;
      this.log.warn({ key, message }, 'search worker could not answer');
      throw new Error(message);
    }
    const { stride, counts, labels, distances } = answer;
    return Array.from(counts, (n, i) => ({
      labels: plainArray(labels.subarray(i * stride, i * stride + n)),
      distances: plainArray(distances.subarray(i * stride, i * stride + n)),
    }));
  }

  write(key: number, file: string, tmp: string): Promise<number> | undefined {
    if (!this.ready(key)) return undefined;
    return this.request({ op: 'write', id: this.nextId++, key, file, tmp }).then((answer) => {
      if (answer.op !== 'written') throw new Error(answer.op === 'failed' ? answer.message : `unexpected answer ${answer.op}`);
      return answer.count;
    });
  }

  drop(key: number): void {
    if (!this.replicas.delete(key) || !this.thread) return;
    this.post({ op: 'drop', key });
  }

  /** Waits for searches in flight, then ends the thread for good. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await Promise.allSettled(this.inFlight);
    const thread = this.thread;
    this.thread = undefined;
    this.replicas.clear();
    this.outbox = [];
    if (thread) await endThread(thread);
  }

  private request(message: ToSearchThread & { id: number }, awaitedAtClose = true): Promise<FromSearchThread> {
    const answer = new Promise<FromSearchThread>((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject });
      this.post(message);
    });
    if (!awaitedAtClose) return answer;
    this.inFlight.add(answer);
    const forget = () => void this.inFlight.delete(answer);
    answer.then(forget, forget);
    return answer;
  }

  private post(message: ToSearchThread): void {
    this.flush();
    this.thread!.postMessage(message);
  }

  /** Posts the queued adds, in order, one message per replica and run. */
  flush(): void {
    const outbox = this.outbox;
    this.outbox = [];
    for (const { key, labels, vectors } of outbox) this.thread?.postMessage({ op: 'add', key, labels: Float64Array.from(labels), vectors: packed(vectors) } satisfies ToSearchThread);
  }

  private settle(message: FromSearchThread): void {
    const p = this.pending.get(message.id);
    this.pending.delete(message.id);
    p?.resolve(message);
  }

  private exited(thread: Worker, code: number): void {
    if (thread !== this.thread) return;
    this.thread = undefined;
    this.replicas.clear();
    this.outbox = [];
    const gone = new Error(`search worker exited with code ${code}`);
    for (const p of this.pending.values()) p.reject(gone);
    this.pending.clear();
    if (this.closed) return;
    // A thread that ran a while gets a quick restart; one that keeps dying backs off.
    const delay = performance.now() - this.startedAt > MAX_RESTART_DELAY_MS ? FIRST_RESTART_DELAY_MS : this.restartDelay;
    this.restartDelay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
    this.log.error({ code, restartInMs: delay }, 'search worker exited; searching on the main thread until it is back');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.start();
      if (this.thread) for (const listener of this.restartListeners) listener();
    }, delay);
    this.restartTimer.unref();
  }
}

/**
 * Ends the thread after the messages already sent (adds may still be queued): terminating it
 * in the middle of native index work can abort the whole process at exit.
 */
async function endThread(thread: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  thread.postMessage({ op: 'close' } satisfies ToSearchThread);
  const timer = setTimeout(() => void thread.terminate(), 30_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Vectors packed one after another, as float32 when every one is a Float32Array (values read
 * from the database: exact), else as float64: the replica gets exactly the numbers the original was given.
 */
export function packed(vectors: ArrayLike<number>[]): Float64Array | Float32Array {
  const dim = vectors[0]?.length ?? 0;
  const out = vectors.every((v) => v instanceof Float32Array) ? new Float32Array(vectors.length * dim) : new Float64Array(vectors.length * dim);
  vectors.forEach((v, i) => out.set(v, i * dim));
  return out;
}
