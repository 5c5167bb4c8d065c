import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { expect } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';

/**
 * A SQLite data folder migrated only up to the migrations named before `before` (e.g. '0033'),
 * as a database written by an older release, and a handle on it to write its rows: a migration
 * test fills it, destroys the handle, and opens the folder with `openDatabase`.
 */
export async function databaseBefore(before: string, prefix: string): Promise<{ dir: string; db: Kysely<any> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const older = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < before));
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(path.join(dir, 'driftloop.sqlite')) }) });
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => older } }).migrateToLatest();
  expect(error).toBeUndefined();
  return { dir, db };
}
