import type SQLite from 'better-sqlite3';
import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import type { Config, Limits } from '../config.js';
import { migrations } from './migrations/index.js';
import { openPostgres } from './postgres.js';
import type { Database } from './schema.js';
import { openSqlite, type StatementsKept } from './sqlite.js';

export type Db = Kysely<Database>;

type DialectName = 'sqlite' | 'postgres';

/** An open, migrated database: the kysely handle, and on SQLite the raw connection for hot paths. */
export interface DatabaseHandle {
  readonly db: Db;
  readonly dialect: DialectName;
  /** The SQLite connection kysely runs on; undefined on PostgreSQL. */
  readonly sqlite: SQLite.Database | undefined;
  /** Where the data lives, for logs: the SQLite file, or host:port/database (never a password). */
  readonly location: string;
  /** On SQLite, what its cache of prepared statements holds (bounded); none on PostgreSQL. */
  statementsKept(): StatementsKept;
  close(): Promise<void>;
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Opens the database the config names and runs pending migrations: PostgreSQL when
 * `databaseUrl` is set, else the SQLite file in `dataDir` (created if needed).
 */
export async function openDatabase(
  config: Pick<Config, 'dataDir' | 'databaseUrl'> & Partial<Pick<Config, 'sqliteBusyMs'>> & { limits?: Pick<Limits, 'statementChars'> },
): Promise<DatabaseHandle> {
  const opened = config.databaseUrl
    ? await openPostgres(config.databaseUrl)
    : { ...openSqlite(config.dataDir, { statementChars: config.limits?.statementChars, busyMs: config.sqliteBusyMs }), dialect: 'sqlite' as const };
  const { db } = opened;
  // On PostgreSQL the migrator holds an advisory lock: instances starting together migrate once.
  const { error, results } = await new Migrator({ db, provider, allowUnorderedMigrations: true }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await opened.close();
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
  // Not awaited: until the worker runs (tens of ms), commits may still restart the WAL themselves.
  if ('migrated' in opened) void opened.migrated();
  return {
    db,
    dialect: opened.dialect,
    sqlite: 'sqlite' in opened ? opened.sqlite : undefined,
    location: opened.location,
    statementsKept: 'statementsKept' in opened ? opened.statementsKept : () => ({ entries: 0, chars: 0, entriesCap: 0, charsCap: 0 }),
    close: () => opened.close(),
  };
}
