import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointGate, GATE } from '../../src/db/checkpoint-gate.js';
import { GatedSqliteDialect } from '../../src/db/gated-dialect.js';
import { openSqlite } from '../../src/db/sqlite.js';

/**
 * The first commit after a WAL restart writes the WAL header and syncs the WAL file: on a busy
 * disk that sync held the event loop for tens of milliseconds. The checkpoint worker restarts
 * the WAL itself, under a gate the service's queries wait for asynchronously.
 */
describe('SQLite checkpoints and WAL restarts off the event loop', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The WAL header's salts: SQLite draws new ones at every restart of the WAL. */
  const salts = (wal: string) => {
    const fd = fs.openSync(wal, 'r');
    try {
      const bytes = Buffer.alloc(8);
      fs.readSync(fd, bytes, 0, 8, 16);
      return bytes.toString('hex');
    } finally {
      fs.closeSync(fd);
    }
  };

  it('when commits fill the WAL, then the worker restarts it and no commit of the service does', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-ckpt-'));
    dirs.push(dir);
    const opened = openSqlite(dir, { tuning: { restartFrames: 40, everyMs: 2 } });
    await sql`create table t (x blob)`.execute(opened.db);
    await opened.migrated();
    const wal = `${opened.location}-wal`;
    const seen = new Set<string>();
    let commits = 0;
    while (seen.size < 4) {
      expect(commits).toBeLessThan(20_000);
      // The connection (and so the gate) is held from before the commit to after it.
      await opened.db.connection().execute(async (connection) => {
        const before = salts(wal);
        await sql`insert into t values (randomblob(3000))`.execute(connection);
        expect(salts(wal)).toBe(before);
        seen.add(before);
      });
      commits++;
      // A checkpoint that copies everything (as the worker's does when the service pauses) must not
      // let the next commit restart the WAL either.
      if (commits % 10 === 0) await sql`pragma wal_checkpoint(PASSIVE)`.execute(opened.db);
      await new Promise(setImmediate);
    }
    await opened.close();
    const reopened = new SQLite(path.join(dir, 'driftloop.sqlite'), { readonly: true });
    expect(reopened.prepare('select count(*) as n from t').get()).toEqual({ n: commits });
    reopened.close();
  });

  it('while the worker holds the gate, then a query waits for it and the event loop keeps turning', async () => {
    const gate = new CheckpointGate();
    // The worker's side of the gate, as the checkpoint worker takes it, held until told to let go.
    const worker = new Worker(
      `const { parentPort, workerData: w } = require('node:worker_threads');
       const cells = new Int32Array(w.buffer);
       Atomics.store(cells, w.WANT, 1);
       if (Atomics.compareExchange(cells, w.STATE, w.FREE, w.WORKER) !== w.FREE) throw new Error('gate not free');
       parentPort.postMessage('held');
       parentPort.once('message', () => {
         Atomics.store(cells, w.STATE, w.FREE);
         Atomics.store(cells, w.WANT, 0);
         Atomics.notify(cells, w.WANT);
         parentPort.close();
       });`,
      { eval: true, workerData: { buffer: gate.buffer, ...GATE } },
    );
    await once(worker, 'message');
    const db = new Kysely<{ t: { x: number } }>({ dialect: new GatedSqliteDialect({ database: new SQLite(':memory:') }, gate) });
    let answered = false;
    const query = sql<{ one: number }>`select 1 as one`.execute(db).then((r) => {
      answered = true;
      return r.rows;
    });
    let turns = 0;
    while (turns < 50) {
      await new Promise(setImmediate);
      turns++;
    }
    expect(answered).toBe(false);
    worker.postMessage('go');
    expect(await query).toEqual([{ one: 1 }]);
    // The service holds it only while it uses the connection: the worker can take it again.
    const cells = new Int32Array(gate.buffer);
    expect(Atomics.load(cells, GATE.STATE)).toBe(GATE.FREE);
    await once(worker, 'exit');
    await db.destroy();
  });
});

describe('a process waiting only on the checkpoint worker', () => {
  it('when opening the database is the one thing left to wait for, then the process waits for the worker and exits after close', async () => {
    // With the worker unreferenced from its start, node found nothing keeping the event loop
    // alive while the worker opened its connection, and ended the process with code 13 (a
    // top-level await that never settled): the drift benchmark and CLI commands died that way.
    const { stdout } = await runAlone();
    expect(JSON.parse(stdout.trim())).toEqual({ ready: true });
  });

  it('when the database is closed before the worker is ready, then the process waits for the worker to end and exits 0', async () => {
    // The worker getting ready during `stop` must not unreference it again while `stop` awaits its exit.
    const { stdout } = await runAlone('close-at-once');
    expect(JSON.parse(stdout.trim())).toEqual({ ready: true });
  });

  it('when a query waits for the gate the worker holds, then the process waits for the worker to let go and exits 0', async () => {
    // A pending Atomics.waitAsync keeps no process alive, nor does the worker once it is ready: with
    // nothing else to wait on, the drift benchmark ended with code 13 while its writes waited for a WAL restart.
    const { stdout } = await runFixture('gate-held.ts');
    expect(JSON.parse(stdout.trim())).toEqual([{ one: 1 }]);
  });

  const runFixture = (file: string, ...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', file), ...args], { cwd: path.join(import.meta.dirname, '../..'), timeout: 60_000 });
  const runAlone = (...args: string[]) => runFixture('open-alone.ts', ...args);
});
