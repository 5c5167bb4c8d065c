import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { GATE, type CheckpointGate } from './checkpoint-gate.js';

const require = createRequire(import.meta.url);

// Plain JavaScript: worker threads do not inherit the TypeScript loader.
const SOURCE = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { STATE, WANT, FREE, SERVICE, WORKER } = workerData.states;
const gate = new Int32Array(workerData.gate);
// Named in /proc (see nameThread), so its CPU is told apart from V8's threads.
try { fs.writeFileSync('/proc/thread-self/comm', 'dl-checkpoint'); } catch {}
const open = () => {
  const db = new Database(workerData.file);
  db.pragma('busy_timeout = 1000');
  db.pragma('synchronous = NORMAL');
  return db;
};
const db = open();
// A read transaction held between rounds. While it lasts, a commit of the service cannot restart
// the WAL (the restart needs every reader off it), so no commit writes and syncs the WAL header on
// the event loop. The round's checkpoint copies up to its snapshot; it moves up when the WAL has
// grown past it, and then never onto a fully copied WAL (where a reader would not count).
const pin = open();
const [pinBegin, pinRead, pinEnd] = [pin.prepare('begin'), pin.prepare('select count(*) from sqlite_master'), pin.prepare('commit')];
const hold = () => { if (!pin.inTransaction) { pinBegin.run(); pinRead.get(); } };
const release = () => { if (pin.inTransaction) pinEnd.run(); };
const repin = () => { release(); hold(); };
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
// A checkpoint that stops short of the WAL's end (at the pin) does not sync the database file;
// the one under the gate does, so the pages copied since are synced first, outside it.
const dbFd = fs.openSync(workerData.file, 'r');
const report = (err) => parentPort.postMessage(String(err));

// With the gate held (no transaction of the service open): copy what is left, and if that was
// everything, restart the WAL here by committing one page (user_version, unchanged). SQLite
// restarts the WAL in the first commit after a complete checkpoint, writing and syncing its header.
function restart() {
  Atomics.store(gate, WANT, 1);
  try {
    const deadline = Date.now() + workerData.waitMs;
    while (Atomics.compareExchange(gate, STATE, FREE, WORKER) !== FREE) {
      if (Date.now() >= deadline) return;
      Atomics.wait(gate, STATE, SERVICE, 5);
    }
    try {
      release();
      const { busy, log, checkpointed } = checkpoint();
      if (busy === 0 && log === checkpointed) db.pragma('user_version = ' + db.pragma('user_version', { simple: true }));
    } finally {
      Atomics.store(gate, STATE, FREE);
    }
  } finally {
    Atomics.store(gate, WANT, 0);
    Atomics.notify(gate, WANT);
  }
}

function round() {
  try {
    const { log, checkpointed } = checkpoint();
    if (log >= workerData.restartFrames) {
      // Copy up to now and sync first, so the part under the gate is short.
      repin();
      checkpoint();
      fs.fsyncSync(dbFd);
      restart();
    } else if (checkpointed < log) repin();
  } catch (err) {
    report(err);
  } finally {
    try { hold(); } catch (err) { report(err); }
  }
}
const timer = setInterval(round, workerData.everyMs);
hold();
parentPort.postMessage({ ready: true });
parentPort.once('message', () => {
  clearInterval(timer);
  try { release(); checkpoint(); } catch (err) { report(err); }
  pin.close();
  db.close();
  fs.closeSync(dbFd);
  parentPort.close();
});
`;

export interface CheckpointerOptions {
  everyMs: number;
  /** Restart the WAL once it holds this many frames (pages). */
  restartFrames: number;
  /** How long the worker waits for the service's current transaction before it tries again next round. */
  waitMs: number;
  gate: CheckpointGate;
  onError: (message: string) => void;
  onFailure: (err: Error) => void;
}

/**
 * Checkpoints a WAL database (PASSIVE) from a worker thread with its own connections, and
 * restarts the WAL there under the gate once it is `restartFrames` long, so neither the copying
 * and syncing of checkpoints nor the WAL restart's header sync happens on the event loop. The
 * caller keeps an automatic checkpoint on its own connection only as a backstop; if the worker
 * dies, `onFailure` should bring that back to the default (the gate is freed first).
 */
export class Checkpointer {
  private readonly worker: Worker;
  /** Set by `stop`, which keeps the worker referenced until it exits (even if it only gets ready then). */
  private stopping = false;
  /** Resolves once the worker holds its read transaction (from then on no commit restarts the WAL), or has failed. */
  readonly ready: Promise<void>;

  constructor(file: string, opts: CheckpointerOptions) {
    const { everyMs, restartFrames, waitMs, gate } = opts;
    const workerData = { file, everyMs, restartFrames, waitMs, gate: gate.buffer, states: GATE, driver: require.resolve('better-sqlite3') };
    this.worker = new Worker(SOURCE, { eval: true, workerData });
    // Settles either way: nothing waits for a worker that failed to start.
    this.ready = new Promise((resolve) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', () => resolve());
    });
    this.worker.on('message', (m: unknown) => {
      if (typeof m === 'string') opts.onError(m);
    });
    this.worker.on('error', (err) => {
      gate.reset();
      opts.onFailure(err);
    });
    // Referenced until it is ready: a process whose only pending work is awaiting `ready` (a CLI
    // command, a benchmark, before the server listens) would otherwise find its event loop empty
    // and end with code 13. From then on it never holds a process open.
    void this.ready.then(() => {
      if (!this.stopping) this.worker.unref();
    });
  }

  /** Runs a last checkpoint and ends the worker. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Unreferenced while running, so it never holds a process open; referenced to wait for its exit.
    this.stopping = true;
    this.worker.ref();
    this.worker.postMessage('stop');
    await exited;
  }
}
