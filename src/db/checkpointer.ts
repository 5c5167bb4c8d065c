import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

// Plain JavaScript: worker threads do not inherit the TypeScript loader.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err)); }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints a WAL database (PASSIVE) from a worker thread with its own connection, so most
 * of the copying and syncing of checkpoints happens off the event loop. The caller keeps a
 * larger automatic checkpoint on its own connection, which restarts the WAL; if the worker
 * dies, `onFailure` should bring that back to the default.
 */
export class Checkpointer {
  private readonly worker: Worker;

  constructor(file: string, opts: { everyMs: number; onError: (message: string) => void; onFailure: (err: Error) => void }) {
    this.worker = new Worker(SOURCE, { eval: true, workerData: { file, everyMs: opts.everyMs, driver: require.resolve('better-sqlite3') } });
    this.worker.on('message', (m) => opts.onError(String(m)));
    this.worker.on('error', opts.onFailure);
    this.worker.unref();
  }

  /** Runs a last checkpoint and ends the worker. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Unreferenced while running, so it never holds a process open; referenced to wait for its exit.
    this.worker.ref();
    this.worker.postMessage('stop');
    await exited;
  }
}
