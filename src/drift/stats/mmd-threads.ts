import type { Logger } from 'pino';
import { workerEntryUrl } from '../../util/worker-entry.js';
import { WorkerPool } from '../../util/worker-pool.js';
import { GramMemories } from './gram.js';
import { mmdPermutationTest, mmdPlan, type EmbeddingSample, type MmdOptions, type MmdResult } from './mmd.js';
import type { MmdTask, MmdTaskResult } from './mmd-tasks.js';

/** Runs MMD tests; the result equals `mmdPermutationTest`'s whatever the thread count. */
export interface MmdRunner {
  test(x: EmbeddingSample, y: EmbeddingSample, options: MmdOptions): Promise<MmdResult>;
  close(): Promise<void>;
}

/**
 * MMD tests on a pool of worker threads, so that the O(n²·d) kernel never blocks the event
 * loop (claims and ingest stay fast while a 512-dim evaluation runs) and both cores share it.
 * The calling thread only validates and copies the samples into shared memory.
 */
export class MmdThreads implements MmdRunner {
  private readonly pool: WorkerPool<MmdTask, MmdTaskResult>;
  private readonly memories = new GramMemories();

  constructor(threads: number, log: Logger, niceness = 0) {
    this.pool = new WorkerPool(workerEntryUrl('mmd.worker', import.meta.url), threads, 'mmd', log, niceness);
  }

  async test(x: EmbeddingSample, y: EmbeddingSample, options: MmdOptions): Promise<MmdResult> {
    const plan = mmdPlan(x, y, options, this.pool.size, this.memories);
    let step = plan.next();
    while (!step.done) step = plan.next(await Promise.all(step.value.map((task) => this.pool.run(task))));
    return step.value;
  }

  /** Starts the threads ahead of the first test (`WorkerPool.warm`). */
  warm(): void {
    this.pool.warm();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

const inProcessMemories = new GramMemories();

/** In-process MMD tests, for `drift threads = 0`. */
export const mmdInProcess: MmdRunner = {
  test: async (x, y, options) => mmdPermutationTest(x, y, options, inProcessMemories),
  close: async () => {},
};
