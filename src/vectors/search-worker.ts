import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
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
  private readonly replicas = new Map<number, 'loading' | 'ready'>();
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly restartListeners: (() => void)[] = [];
  private nextId = 1;
  private startedAt = 0;
  private restartDelay = FIRST_RESTART_DELAY_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly name = 'driftloop-search',
  ) {}

  /** Requests posted and not yet answered: how far behind the thread is. */
  get depth(): number {
    return this.pending.size;
  }

  /** Starts the thread. */
  start(): void {
    if (this.thread || this.closed) return;
    const thread = new Worker(entryUrl(), { name: this.name });
    thread.unref();
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

  /** Forwards an add to the replica `key`, if the thread has (or is loading) one. */
  add(key: number, label: number, vector: ArrayLike<number>): void {
    if (!this.thread || !this.replicas.has(key)) return;
    // Float64: the replica gets exactly the numbers the original was given.
    this.post({ op: 'add', key, label, vector: vector instanceof Float64Array ? vector : Float64Array.from(vector) });
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
      labels: Array.from(labels.subarray(i * stride, i * stride + n)),
      distances: Array.from(distances.subarray(i * stride, i * stride + n)),
    }));
  }

  /** Waits for searches in flight, then ends the thread for good. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await Promise.allSettled(this.inFlight);
    const thread = this.thread;
    this.thread = undefined;
    this.replicas.clear();
    if (thread) await endThread(thread);
  }

  private request(message: ToSearchThread & { id: number }): Promise<FromSearchThread> {
    const answer = new Promise<FromSearchThread>((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject });
      this.post(message);
    });
    this.inFlight.add(answer);
    const forget = () => void this.inFlight.delete(answer);
    answer.then(forget, forget);
    return answer;
  }

  private post(message: ToSearchThread): void {
    this.thread!.postMessage(message);
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
 * The thread's entry module. Run from TypeScript sources (tsx, vitest), a worker does not
 * inherit the TypeScript loader, so a one-line ESM prelude registers tsx before importing it.
 */
function entryUrl(): URL {
  const ext = path.extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./search.worker${ext}`, import.meta.url);
  if (ext !== '.ts') return entry;
  const tsx = import.meta.resolve('tsx/esm/api');
  const prelude = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(prelude)}`);
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
