import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * True when `db` (or a transaction of it) runs on PostgreSQL. Repositories ask this where the
 * two dialects need different SQL, so the difference stays beside the table that needs it.
 */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
