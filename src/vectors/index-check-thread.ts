import type { Logger } from 'pino';
import { workerEntryUrl } from '../util/worker-entry.js';
import { WorkerPool, WorkerTaskError } from '../util/worker-pool.js';
import { checkIndexFile, type IndexChecker, type IndexFileCheck, type WrittenIndex } from './index-file.js';

/**
 * Checks written index files on a worker thread: reading a 200k-item near-duplicate index
 * back and hashing it took about 0.2 s of the event loop every save. If the thread dies
 * under a file, the file is checked here rather than not at all. The thread starts on first
 * use, keeps no process alive while idle, and ends with `close()`.
 */
export class IndexCheckThread {
  private readonly pool: WorkerPool<WrittenIndex, IndexFileCheck>;

  constructor(private readonly log: Logger, niceness = 0) {
    this.pool = new WorkerPool(workerEntryUrl('index-check.worker', import.meta.url), 1, 'index-check', log, niceness);
  }

  readonly check: IndexChecker = async (written) => {
    try {
      return await this.pool.run(written);
    } catch (err) {
      if (!(err instanceof WorkerTaskError)) throw err;
      this.log.warn({ err }, 'index-check thread failed; checking on the calling thread');
      return checkIndexFile(written);
    }
  };

  close(): Promise<void> {
    return this.pool.close();
  }
}
