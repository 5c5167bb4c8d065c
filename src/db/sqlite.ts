import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type SqliteDatabase } from 'kysely';
import { DEFAULT_SQLITE_BUSY_MS } from '../config.js';
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
  /** Statements kept prepared now, and the length of their SQL text together. */
  statementsKept(): StatementsKept;
  /** After the migrations: background checkpoints from now on (resolves when the worker runs). */
  migrated(): Promise<void>;
  close(): Promise<void>;
}

/** How `openSqlite` sets up the connection; everything left out keeps its default. */
export interface SqliteOptions {
  /** The checkpoint worker's settings; tests shorten them. */
  tuning?: Partial<CheckpointTuning>;
  /** Characters of SQL text the statement cache keeps at most together (default `STATEMENT_CHARS_KEPT`). */
  statementChars?: number;
  /** SQLite's busy timeout in milliseconds (default {@link DEFAULT_SQLITE_BUSY_MS}, the setting's). */
  busyMs?: number;
}

/** The embedded database: one SQLite file in `dataDir`, tuned for a single writer. */
export function openSqlite(dataDir: string, options: SqliteOptions = {}): OpenedSqlite {
  const { restartFrames, everyMs } = { ...DEFAULT_TUNING, ...options.tuning };
  fs.mkdirSync(dataDir, { recursive: true });
  const file = sqliteFile(dataDir);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL under WAL: a commit is in the WAL file before the 2xx, so it survives a killed
  // process (kill -9); only an OS crash or power cut can lose the last commits, never corrupt.
  // FULL would fsync every batch, blocking the event loop for milliseconds each time.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${options.busyMs ?? DEFAULT_SQLITE_BUSY_MS}`);
  const gate = new CheckpointGate();
  const statements = preparedOnce(sqlite, options.statementChars ?? STATEMENT_CHARS_KEPT);
  const db = new Kysely<Database>({ dialect: new GatedSqliteDialect({ database: statements.database }, gate) });
  let checkpointer: Checkpointer | undefined;
  return {
    db,
    sqlite,
    location: file,
    statementsKept: statements.kept,
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

/** Prepared statements kept at most. */
export const STATEMENTS_KEPT = 2000;
/**
 * Characters of SQL text the kept statements hold at most together, unless `limits.statementChars` says otherwise. A statement's memory grows
 * with its text (with an `in` list of 100 values about 35 KB, of 500 about 100 KB, of 5,000 about
 * 840 KB, measured with better-sqlite3), and a client that sends batches of every length would
 * otherwise fill the cache with large ones: 2,000 of them could hold gigabytes. About 100 MB at most.
 */
export const STATEMENT_CHARS_KEPT = 1024 * 1024;
/** A text longer than this (an `in` list of several thousand values) is prepared for its one use only. */
const LONGEST_KEPT_STATEMENT = 16 * 1024;

/** What the statement cache holds now, and the caps it holds to. */
export interface StatementsKept {
  entries: number;
  chars: number;
  entriesCap: number;
  charsCap: number;
}
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
 * iterated (a stream) is not reused. The least recently used statements go first once
 * {@link STATEMENTS_KEPT} statements or `charsKept` characters of text are passed.
 */
function preparedOnce(sqlite: SQLite.Database, charsKept: number): { database: SqliteDatabase; kept: () => StatementsKept } {
  const cache = new Map<string, SQLite.Statement>();
  let chars = 0;
  const forget = (source: string) => {
    cache.delete(source);
    chars -= source.length;
  };
  const database: SqliteDatabase = {
    close: () => sqlite.close(),
    prepare: (source: string) => {
      // SQLite rolls a transaction back by itself on SQLITE_FULL (disk full); kysely's own
      // ROLLBACK would then fail with "cannot rollback" and hide the real cause.
      if (!sqlite.inTransaction && /^\s*rollback\s*$/i.test(source)) return NO_OP;
      const cached = cache.get(source);
      if (cached) forget(source);
      const statement = cached && !cached.busy ? cached : sqlite.prepare(source);
      if (source.length > LONGEST_KEPT_STATEMENT) return statement;
      cache.set(source, statement);
      chars += source.length;
      while (cache.size > STATEMENTS_KEPT || chars > charsKept) forget(cache.keys().next().value!);
      return statement;
    },
  };
  return { database, kept: () => ({ entries: cache.size, chars, entriesCap: STATEMENTS_KEPT, charsCap: charsKept }) };
}

/** A statement that does nothing: a ROLLBACK after SQLite already rolled back. */
const NO_OP = Object.freeze({
  reader: false,
  all: () => [],
  iterate: () => [][Symbol.iterator](),
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
}) as unknown as SQLite.Statement;
