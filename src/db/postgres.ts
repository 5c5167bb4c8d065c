import { hash } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { DatabaseUnavailableError } from '../errors.js';
import { PREPARED_MARK } from './dialect.js';
import type { Database } from './schema.js';

/** Connections per instance; further queries wait in the pool's queue. */
const POOL_SIZE = 10;
/** How long a query waits for a connection (a new one, or a free one of a full pool) before failing. */
const CONNECT_TIMEOUT_MS = 10_000;

const INT8 = 20;
const NUMERIC = 1700;

// Counts, sums and 64-bit ids arrive as numbers, as they do from SQLite; the values are far below 2^53.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A pool on the URL's database, checked with one query: an unreachable server fails here, at start. */
export async function openPostgres(url: string) {
  const where = describe(url);
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, types });
  // A connection dropped (server restart, network cut) is reported on the pool when idle and
  // on the client when checked out; without listeners either would end the process. Its next
  // query fails (503), and the pool replaces it when it comes back.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    preparing(client);
  });
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnavailableError(`cannot reach PostgreSQL at ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
  return { db, dialect: 'postgres' as const, location: where, close: () => db.destroy() };
}

/** host:port/database of a URL, without its user or password. */
function describe(url: string): string {
  const u = new URL(url);
  return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
}

/** Statement names by text; only texts marked {@link PREPARED_MARK}, which are the same on every call, so few. */
const statementNames = new Map<string, string>();

/**
 * Sends a statement whose text starts with {@link PREPARED_MARK} as a named statement (kysely
 * passes no name): the connection parses and plans it once and then only binds and runs it.
 * Other statements go as before.
 */
function preparing(client: pg.PoolClient): void {
  // The prototype's query, looked up at each call (as a spy on it in a test sees every call).
  const plain = Object.getPrototypeOf(client) as { query: (...args: unknown[]) => unknown };
  client.query = ((text: unknown, ...rest: unknown[]) => {
    if (typeof text !== 'string' || !text.startsWith(PREPARED_MARK) || rest.length !== 1 || !Array.isArray(rest[0])) return plain.query.call(client, text, ...rest);
    let name = statementNames.get(text);
    if (name === undefined) statementNames.set(text, (name = `dl_${hash('sha1', text).slice(0, 20)}`));
    return plain.query.call(client, { name, text, values: rest[0] });
  }) as typeof client.query;
}
