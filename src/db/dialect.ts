import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * True when `db` (or a transaction of it) runs on PostgreSQL. Repositories ask this where the
 * two dialects need different SQL, so the difference stays beside the table that needs it.
 */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Starts a statement whose text is the same on every call (its values all parameters): on
 * PostgreSQL each connection then parses and plans it once (src/db/postgres.ts), where a hot
 * statement's parse and plan cost as much as running it. A comment, so SQLite reads past it.
 */
export const PREPARED_MARK = '/* prepared */';

/** {@link PREPARED_MARK} for a `sql` template: sql`${prepared} select …`. */
export const prepared = sql.raw(PREPARED_MARK);

/** Advisory-lock classes: the first key of `lockUntilCommit`, one per kind of work. */
export const LOCKS = { queue: 0x7175, driftRecord: 0x6472, examples: 0x6578, indexSnapshot: 0x736e, driftEvaluate: 0x6465, jobClaim: 0x6a63, jobDecision: 0x7274, labeler: 0x6c62, leaseExpiry: 0x6c78, queueCounts: 0x7163, champion: 0x6368, regionIds: 0x7269 } as const;

/**
 * Holds the lock (`kind`, `key`) until the transaction `trx` ends, across every instance on
 * the database: work under it happens one transaction at a time. On SQLite a no-op, since
 * SQLite runs one write transaction at a time already.
 */
export async function lockUntilCommit(trx: Kysely<any>, kind: keyof typeof LOCKS, key: number): Promise<void> {
  if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(${LOCKS[kind]}, ${key})`.execute(trx);
}

/** Takes the lock (`kind`, `key`) until `trx` ends if no other transaction holds it; returns whether it did. Always true on SQLite. */
export async function tryLockUntilCommit(trx: Kysely<any>, kind: keyof typeof LOCKS, key: number): Promise<boolean> {
  if (!isPostgres(trx)) return true;
  const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(${LOCKS[kind]}, ${key}) as got`.execute(trx);
  return rows[0]?.got === true;
}

/**
 * Runs `fn` while holding the lock (`kind`, `key`) across every instance on the database, or
 * returns `{ ran: false }` at once when another instance holds it. The lock lives in a
 * transaction of its own that `fn` does not use: if this instance dies, the connection drops
 * and the lock goes with it, so another instance takes the work over at its next try. On
 * SQLite (one instance) `fn` just runs.
 */
export async function tryExclusively<T>(db: Kysely<any>, kind: keyof typeof LOCKS, key: number, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  if (!isPostgres(db)) return { ran: true, value: await fn() };
  return db.transaction().execute(async (trx) => {
    if (!(await tryLockUntilCommit(trx, kind, key))) return { ran: false as const };
    return { ran: true as const, value: await fn() };
  });
}

/** Like {@link tryExclusively}, but waits for the lock instead of giving up. */
export async function exclusively<T>(db: Kysely<any>, kind: keyof typeof LOCKS, key: number, fn: () => Promise<T>): Promise<T> {
  if (!isPostgres(db)) return fn();
  return db.transaction().execute(async (trx) => {
    await lockUntilCommit(trx, kind, key);
    return fn();
  });
}

/**
 * A column SQLite's planner must not pick an index for (unary plus; PostgreSQL reads it as the
 * value). Without statistics SQLite prefers an index on `model_id` alone to the unique
 * `prediction_seq` one, and scans every item of the model per statement: 55 ms at 100k items,
 * synchronously, on the event loop.
 */
export function notIndexed(column: string) {
  return sql<number>`+${sql.ref(column)}`;
}
