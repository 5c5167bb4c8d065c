import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { tempDataDir } from '../support/server.js';

describe('DRIFTLOOP_SQLITE_BUSY_MS', () => {
  let database: DatabaseHandle | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  const busyTimeout = async (config: ReturnType<typeof loadConfig>) => {
    database = await openDatabase(config);
    const { rows } = await sql<{ timeout: number }>`pragma busy_timeout`.execute(database.db);
    return rows[0]!.timeout;
  };

  it('when unset, then a write waits 5 s for another process’s lock on the file', async () => {
    const config = loadConfig({ DRIFTLOOP_DATA_DIR: tempDataDir() });
    expect(config.sqliteBusyMs).toBe(5000);
    expect(await busyTimeout(config)).toBe(5000);
  });

  it('when set, then the SQLite connection waits that long, 0 meaning not at all', async () => {
    expect(await busyTimeout(loadConfig({ DRIFTLOOP_DATA_DIR: tempDataDir(), DRIFTLOOP_SQLITE_BUSY_MS: '250' }))).toBe(250);
    await database!.close();
    expect(await busyTimeout(loadConfig({ DRIFTLOOP_DATA_DIR: tempDataDir(), DRIFTLOOP_SQLITE_BUSY_MS: '0' }))).toBe(0);
  });

  it('when negative, over a minute or not a number, then the configuration is rejected', () => {
    for (const value of ['-1', '60001', 'soon']) expect(() => loadConfig({ DRIFTLOOP_SQLITE_BUSY_MS: value })).toThrow(/DRIFTLOOP_SQLITE_BUSY_MS/);
  });
});
