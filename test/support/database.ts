import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The database the suite runs on. The `postgres` vitest project sets DRIFTLOOP_TEST_DIALECT;
 * its server is the throwaway cluster `.ci/run` starts (DRIFTLOOP_TEST_DATABASE_URL).
 */
const testDialect: 'sqlite' | 'postgres' = process.env.DRIFTLOOP_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';

const databases = new Map<string, Promise<string>>();

/**
 * The `DRIFTLOOP_DATABASE_URL` for a test's data folder: undefined on SQLite (the file lives in
 * the folder); on PostgreSQL a new, empty database, the same one each time the folder comes back
 * (a restart). Fails, never skips, when the postgres project runs without a server.
 */
export function databaseUrlFor(dataDir: string): Promise<string | undefined> {
  if (testDialect === 'sqlite') return Promise.resolve(undefined);
  let url = databases.get(dataDir);
  if (!url) databases.set(dataDir, (url = createDatabase()));
  return url;
}

/** `DRIFTLOOP_DATABASE_URL` in an env record, when the suite runs on PostgreSQL. */
export async function databaseEnv(dataDir: string): Promise<Record<string, string>> {
  const url = await databaseUrlFor(dataDir);
  return url ? { DRIFTLOOP_DATABASE_URL: url } : {};
}

/**
 * A new database on the test server, named at random so parallel test files never meet, with the
 * run's prefix (`test-databases.global.ts` drops the run's databases when it ends).
 */
export function createDatabase(): Promise<string> {
  const admin = process.env.DRIFTLOOP_TEST_DATABASE_URL;
  if (!admin) throw new Error('The postgres test project needs DRIFTLOOP_TEST_DATABASE_URL (a server .ci/run starts)');
  const run = process.env.DRIFTLOOP_TEST_RUN ?? 'norun';
  return createDatabaseOn(admin, `driftloop_test_${run}_${randomBytes(6).toString('hex')}`);
}

/** Creates (anew) the database `name` on the server of the admin URL `admin`; returns its URL. */
export async function createDatabaseOn(admin: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name}`);
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}
