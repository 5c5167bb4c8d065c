import { sql, type Transaction } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/**
 * Runs `fn` in a transaction whose commit skips the disk flush: for state that may be
 * lost on power failure without harm (review-queue leases fall back to the queue).
 * SQLite in WAL mode stays consistent, and the next ordinary commit flushes these
 * frames too. The connection is held throughout, so no other commit runs relaxed.
 */
export function softTransaction<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(conn);
    const level = Number(rows[0]?.synchronous ?? 2);
    await sql`pragma synchronous = NORMAL`.execute(conn);
    try {
      return await conn.transaction().execute(fn);
    } finally {
      await sql.raw(`pragma synchronous = ${level}`).execute(conn);
    }
  });
}
