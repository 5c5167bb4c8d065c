import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * True when `db` (or a transaction of it) runs on PostgreSQL. Repositories ask this where the
 * two dialects need different SQL, so the difference stays beside the table that needs it.
 */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Advisory-lock classes: the first key of `lockUntilCommit`, one per kind of work. */
export const LOCKS = { queue: 0x7175, driftRecord: 0x6472, examples: 0x6578, indexSnapshot: 0x736e } as const;

/**
 * Holds the lock (`kind`, `key`) until the transaction `trx` ends, across every instance on
 * the database: work under it happens one transaction at a time. On SQLite a no-op, since
 * SQLite runs one write transaction at a time already.
 */
export async function lockUntilCommit(trx: Kysely<any>, kind: keyof typeof LOCKS, key: number): Promise<void> {
  if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(${LOCKS[kind]}, ${key})`.execute(trx);
}
