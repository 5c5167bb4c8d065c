import fs from 'node:fs';
import { pino, type Logger } from 'pino';
import { ApiKeysService } from '../auth/api-keys.service.js';
import type { Container } from '../composition/container.js';
import { loadConfig, type Config } from '../config.js';
import { openDatabase } from '../db/database.js';
import { sqliteFile } from '../db/sqlite.js';
import { systemClock } from '../util/clock.js';

/** Logs go to stderr so stdout stays clean for output. */
function cliLogger(level: string): Logger {
  return pino({ level: level === 'info' ? 'warn' : level }, pino.destination(2));
}

/**
 * Runs `fn` on the full container over DRIFTLOOP_DATA_DIR, read-only (no index files
 * written), then closes it. Imported on demand, so commands that do not need it (keys)
 * never load the feature graph or TensorFlow.js.
 */
export async function withContainer<T>(fn: (c: Container, store: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = storeName(config);
  assertDatabaseExists(config, store);
  const { createContainer } = await import('../composition/container.js');
  const container = await createContainer(config, { log: cliLogger(config.logLevel), readOnly: true });
  try {
    return await fn(container, store);
  } finally {
    await container.close();
  }
}

/**
 * The narrow container of the key commands: the database and the key service only; `store` says
 * where they live. Only `init` creates the SQLite database when the data folder has none.
 */
export async function withKeys<T>(fn: (keys: ApiKeysService, store: string) => Promise<T>, { init = false } = {}): Promise<T> {
  const config = loadConfig();
  const store = storeName(config);
  if (!init) assertDatabaseExists(config, store, ', or start one there with: driftloop keys create --role admin --init');
  const database = await openDatabase(config);
  try {
    return await fn(new ApiKeysService(database.db, undefined, systemClock), store);
  } finally {
    await database.close();
  }
}

/**
 * Commands never create a database unasked: a key stored in a new, empty one (a wrong
 * DRIFTLOOP_DATA_DIR) would be refused by the server with 401, and an empty report would hide the mistake.
 */
function assertDatabaseExists(config: Pick<Config, 'dataDir' | 'databaseUrl'>, store: string, orElse = ''): void {
  if (!config.databaseUrl && !fs.existsSync(sqliteFile(config.dataDir))) {
    throw new Error(`no driftloop database in ${store} (set DRIFTLOOP_DATA_DIR to the server's data folder${orElse})`);
  }
}

/** Where the CLI reads from, for messages: the data folder, or the PostgreSQL database without its password. */
export function storeName(config: Pick<Config, 'dataDir' | 'databaseUrl'>): string {
  if (!config.databaseUrl) return `the data folder ${config.dataDir}`;
  const url = new URL(config.databaseUrl);
  return `the PostgreSQL database ${url.host}${url.pathname}`;
}
