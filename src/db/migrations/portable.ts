import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

// Frozen with the migrations that use it: changing a type here changes released migrations.

/**
 * Column types and the auto-increment key for the database a migration runs on. On SQLite
 * they are the names the migrations were first written with, so a SQLite schema is the same
 * as before PostgreSQL was supported. On PostgreSQL: 64-bit integers (as SQLite's), doubles
 * (SQLite's `real` is 8 bytes; PostgreSQL's is 4) and `bytea` for embeddings.
 */
export function columnTypes(db: Kysely<any>) {
  if (isPostgres(db)) {
    return {
      int: 'bigint',
      real: 'double precision',
      blob: 'bytea',
      autoId: (c: ColumnDefinitionBuilder) => c.primaryKey().generatedByDefaultAsIdentity(),
    } as const;
  }
  return {
    int: 'integer',
    real: 'real',
    blob: 'blob',
    autoId: (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement(),
  } as const;
}

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
