import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type SqliteDatabase } from 'kysely';
import { CheckpointGate } from './checkpoint-gate.js';
import { Checkpointer } from './checkpointer.js';
import { GatedSqliteDialect } from './gated-dialect.js';
import type { Database } from './schema.js';

/** The SQLite file in `dataDir`. */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'driftloop.sqlite');
}

/** An open SQLite database and its lifecycle. */
export interface OpenedSqlite {
  db: Kysely<Database>;
  sqlite: SQLite.Database;
  location: string;
  /** After the migrations: background checkpoints from now on (resolves when the worker runs). */
  migrated(): Promise<void>;
  close(): Promise<void>;
}

/** The embedded database: one SQLite file in `dataDir`, tuned for a single writer. */
export function openSqlite(dataDir: string, tuning: Partial<CheckpointTuning> = {}): OpenedSqlite {
  const { restartFrames, everyMs } = { ...DEFAULT_TUNING, ...tuning };
  fs.mkdirSync(dataDir, { recursive: true });
  const file = sqliteFile(dataDir);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL under WAL: a commit is in the WAL file before the 2xx, so it survives a killed
  // process (kill -9); only an OS crash or power cut can lose the last commits, never corrupt.
  // FULL would fsync every batch, blocking the event loop for milliseconds each time.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const gate = new CheckpointGate();
  const db = new Kysely<Database>({ dialect: new GatedSqliteDialect({ database: preparedOnce(sqlite) }, gate) });
  let checkpointer: Checkpointer | undefined;
  return {
    db,
    sqlite,
    location: file,
    migrated() {
      // A worker thread checkpoints and restarts the WAL (docs/queue.md, "Claim latency under
      // load"): a commit on this connection checkpoints only if the worker falls far behind.
      sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_FACTOR * restartFrames}`);
      checkpointer = new Checkpointer(file, {
        everyMs,
        restartFrames,
        waitMs: 200,
        gate,
        onError: () => undefined,
        onFailure: () => sqlite.pragma('wal_autocheckpoint = 1000'),
      });
      return checkpointer.ready;
    },
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

const STATEMENTS_KEPT = 2000;
/** When the checkpoint worker runs and restarts the WAL; tests shrink them. */
export interface CheckpointTuning {
  /** Restart the WAL once it holds this many frames: about 200 MB at 4 KiB pages by default. */
  restartFrames: number;
  everyMs: number;
}
const DEFAULT_TUNING: CheckpointTuning = { restartFrames: 50_000, everyMs: 200 };
// The service's own commit-time checkpoint, only if the worker falls this far behind.
const BACKSTOP_FACTOR = 4;

/**
 * The connection as kysely sees it, preparing each distinct SQL text once: kysely prepares
 * on every query, which costs about as much as running a small one. A statement still being
 * iterated (a stream) is not reused.
 */
function preparedOnce(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (source: string) => {
      // SQLite rolls a transaction back by itself on SQLITE_FULL (disk full); kysely's own
      // ROLLBACK would then fail with "cannot rollback" and hide the real cause.
      if (!sqlite.inTransaction && /^\s*rollback\s*$/i.test(source)) return NO_OP;
      const cached = cache.get(source);
      if (cached && !cached.busy) return cached;
      const statement = sqlite.prepare(source);
      if (cache.size >= STATEMENTS_KEPT) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
      return statement;
    },
  };
}

/** A statement that does nothing: a ROLLBACK after SQLite already rolled back. */
const NO_OP = Object.freeze({
  reader: false,
  all: () => [],
  iterate: () => [][Symbol.iterator](),
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
}) as unknown as SQLite.Statement;
