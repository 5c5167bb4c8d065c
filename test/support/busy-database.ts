import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { databaseUrlFor } from './database.js';
import { startTestServer, tempDataDir, type TestServer } from './server.js';

/** How long a server statement waits for the lock before it gives up: PostgreSQL's lock_timeout (55P03), SQLite's busy timeout (SQLITE_BUSY). */
const PG_LOCK_TIMEOUT = '1s';
const SQLITE_BUSY_MS = '1000';

/**
 * A second connection to a test server's database that holds its write lock, as an operator's
 * shell or a long transaction would: while it is held, the server's writes to `tables` wait,
 * give up (SQLite's busy timeout; PostgreSQL's lock_timeout) and answer 503 with Retry-After.
 */
export interface WriteLock {
  hold(): Promise<void>;
  release(): Promise<void>;
  /** Rows of `sql` read on this connection (SQLite `?`, PostgreSQL `$1` placeholders). */
  count(sql: { sqlite: string; postgres: string }, value: number): Promise<number>;
  close(): Promise<void>;
}

/** A test server whose database another connection can lock (`tables`: what PostgreSQL locks; SQLite locks the whole file). */
export async function startLockableServer(tables: string[]): Promise<{ server: TestServer; lock: WriteLock }> {
  const dataDir = tempDataDir();
  const url = await databaseUrlFor(dataDir);
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    // Before the server connects: every connection of its pool gets the setting.
    await admin.query(`alter database ${new URL(url).pathname.slice(1)} set lock_timeout = '${PG_LOCK_TIMEOUT}'`);
    await admin.end();
  }
  const server = await startTestServer({ dataDir, env: { DRIFTLOOP_SQLITE_BUSY_MS: SQLITE_BUSY_MS } });
  return { server, lock: url ? await postgresLock(url, tables) : sqliteLock(path.join(dataDir, 'driftloop.sqlite')) };
}

function sqliteLock(file: string): WriteLock {
  const other = new SQLite(file);
  return {
    hold: async () => void other.exec('begin immediate'),
    release: async () => void other.exec('rollback'),
    count: async (sql, value) => (other.prepare(sql.sqlite).get(value) as { n: number }).n,
    close: async () => void other.close(),
  };
}

async function postgresLock(url: string, tables: string[]): Promise<WriteLock> {
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  return {
    hold: async () => {
      await other.query('begin');
      // EXCLUSIVE lets reads through and stops every write.
      await other.query(`lock table ${tables.join(', ')} in exclusive mode`);
    },
    release: async () => void (await other.query('rollback')),
    count: async (sql, value) => Number((await other.query(sql.postgres, [value])).rows[0].n),
    close: () => other.end(),
  };
}
