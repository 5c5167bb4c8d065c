import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { Logger } from 'pino';
import { setUpThread, type ThreadSetup } from './thread-priority.js';

type Reply<R> = { id: number; ok: true; result: R } | { id: number; ok: false; message: string };

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve(result: unknown): void; reject(err: Error): void }>;
}

/** A task a thread could not run (it threw, or the thread died under it). */
export class WorkerTaskError extends Error {
  override readonly name = 'WorkerTaskError';
}

/**
 * A fixed number of worker threads running pure CPU tasks (`serveTasks` on the other side),
 * each task to the least busy thread. Threads start on first use and are replaced when one
 * dies; they keep the process alive only while they have work.
 */
export class WorkerPool<Task, Result> {
  private readonly threads: (Thread | undefined)[];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly entry: URL,
    readonly size: number,
    private readonly name: string,
    private readonly log: Logger,
    /** Nice value of the threads (Linux, per thread): above 0 they yield the CPU to the event loop. */
    private readonly niceness = 0,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a worker pool needs at least one thread, got ${size}`);
    this.threads = Array.from({ length: size }, () => undefined);
  }

  /**
   * Runs `task` on a thread; typed arrays on a SharedArrayBuffer are shared, not copied, and
   * the buffers in `transfer` are moved (detached here).
   */
  run(task: Task, transfer: ArrayBuffer[] = []): Promise<Result> {
    if (this.closed) return Promise.reject(new WorkerTaskError(`${this.name} pool is closed`));
    const thread = this.leastBusy();
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      thread.pending.set(id, { resolve: (result) => resolve(result as Result), reject });
      if (thread.pending.size === 1) thread.worker.ref();
      thread.worker.postMessage({ id, task }, transfer);
    });
  }

  /**
   * Starts every thread now instead of on its first task: a thread loads its modules first (about
   * half a second of CPU here), which the first task would otherwise wait for. Idle threads keep
   * no process alive.
   */
  warm(): void {
    if (this.closed) return;
    for (let i = 0; i < this.size; i++) this.threads[i] ??= this.spawn(i);
  }

  /** Threads running now (started and not exited). */
  get running(): number {
    return this.threads.filter((t) => t !== undefined).length;
  }

  /** Ends every thread; tasks still running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map(async (thread, i) => {
      this.threads[i] = undefined;
      if (thread) await thread.worker.terminate();
    }));
  }

  private leastBusy(): Thread {
    let best = 0;
    for (let i = 0; i < this.size; i++) {
      const load = this.threads[i]?.pending.size ?? -1;
      if (load < (this.threads[best]?.pending.size ?? -1)) best = i;
    }
    return (this.threads[best] ??= this.spawn(best));
  }

  private spawn(slot: number): Thread {
    const worker = new Worker(this.entry, { name: `driftloop-${this.name}-${slot}`, workerData: { niceness: this.niceness, threadName: `dl-${this.name}-${slot}` } satisfies ThreadSetup });
    worker.unref();
    const thread: Thread = { worker, pending: new Map() };
    worker.on('message', (reply: Reply<Result>) => {
      const waiting = thread.pending.get(reply.id);
      if (!waiting) return;
      thread.pending.delete(reply.id);
      if (thread.pending.size === 0) worker.unref();
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new WorkerTaskError(reply.message));
    });
    worker.on('error', (err) => this.log.error({ err, pool: this.name }, 'worker thread failed'));
    worker.on('exit', (code) => {
      if (this.threads[slot] === thread) this.threads[slot] = undefined;
      for (const waiting of thread.pending.values()) waiting.reject(new WorkerTaskError(`${this.name} thread exited (code ${code})`));
      thread.pending.clear();
    });
    return thread;
  }
}

/** The thread side of a WorkerPool: answers each task with `handle(task)`. */
export function serveTasks<Task, Result>(handle: (task: Task) => Result, transferables: (result: Result) => ArrayBuffer[] = () => []): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks must run in a worker thread');
  setUpThread(workerData as ThreadSetup | null);
  port.on('message', ({ id, task }: { id: number; task: Task }) => {
    let reply: Reply<Result>;
    try {
      reply = { id, ok: true, result: handle(task) };
    } catch (err) {
      reply = { id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply, reply.ok ? transferables(reply.result) : []);
  });
}
