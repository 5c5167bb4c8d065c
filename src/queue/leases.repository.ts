import { sql } from 'kysely';
import { compiledOnce } from '../db/compiled-once.js';
import type { Db } from '../db/database.js';
import { isPostgres, LOCKS, lockUntilCommit } from '../db/dialect.js';
import { hash32 } from '../drift/sampling/bottom-k.js';

/** A lease as the queue service needs it. */
export interface LeaseRow {
  id: number;
  item_id: number;
  labeler: string;
  expires_at: string;
}

type NewLease = { model_id: number; item_id: number; labeler: string; expires_at: string; created_at: string };
const insertLeaseStatement = compiledOnce((db, row: NewLease) => db.insertInto('queue_leases').values(row));

export async function insertLease(db: Db, row: NewLease): Promise<void> {
  await db.executeQuery(insertLeaseStatement(db, row));
}

/**
 * The labeler's lease on the item. With `forUpdate`, row-locked until the transaction `db` ends (on
 * PostgreSQL): a claim giving it back as expired meanwhile commits first, and then it is not found.
 */
export function findLease(db: Db, modelId: number, itemId: number, labeler: string, forUpdate = false): Promise<LeaseRow | undefined> {
  return db
    .selectFrom('queue_leases')
    .select(['id', 'item_id', 'labeler', 'expires_at'])
    .where('model_id', '=', modelId)
    .where('item_id', '=', itemId)
    .where('labeler', '=', labeler)
    .$if(forUpdate && isPostgres(db), (qb) => qb.forUpdate())
    .executeTakeFirst();
}

/**
 * Locks these leases until the transaction `db` ends, in id order (on PostgreSQL; the lock order
 * of docs/queue.md); returns the ids of those that still exist: one another transaction gave
 * back meanwhile (as expired, on its clock) is gone. SQLite needs no lock: all of them.
 */
export async function lockLeases(db: Db, ids: number[]): Promise<Set<number>> {
  if (!isPostgres(db) || ids.length === 0) return new Set(ids);
  const rows = await db.selectFrom('queue_leases').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
  return new Set(rows.map((r) => Number(r.id)));
}

const extendLeasesStatement = compiledOnce((db, v: { ids: number[]; expiresAt: string }) => db.updateTable('queue_leases').set({ expires_at: v.expiresAt }).where('id', 'in', v.ids));

export async function extendLeases(db: Db, ids: number[], expiresAt: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) await db.executeQuery(extendLeasesStatement(db, { ids: ids.slice(i, i + 500), expiresAt }));
}

/**
 * What a claim settles first, in one read: the model's leases that expired at or before `now`
 * (anyone's) and the labeler's own, best item first. Each side of the OR names the model, so
 * SQLite reads each on its own index (`queue_leases_expiry`, `queue_leases_labeler`) instead of
 * walking every live lease of the model: 0.24 ms per claim with 550 live leases, on the event loop.
 */
export async function listExpiredAndLabelerLeases(db: Db, modelId: number, labeler: string, now: string): Promise<LeaseRow[]> {
  return (await db.executeQuery(expiredAndLabelerLeases(db, { modelId, labeler, now }))).rows;
}

const expiredAndLabelerLeases = compiledOnce((db, v: { modelId: number; labeler: string; now: string }) =>
  db
    .selectFrom('queue_leases as l')
    .innerJoin('queue_items as i', 'i.id', 'l.item_id')
    .select(['l.id', 'l.item_id', 'l.labeler', 'l.expires_at'])
    .where((eb) =>
      eb.or([
        eb.and([eb('l.model_id', '=', v.modelId), eb('l.expires_at', '<=', v.now)]),
        eb.and([eb('l.model_id', '=', v.modelId), eb('l.labeler', '=', v.labeler)]),
      ]),
    )
    .orderBy('i.priority', 'desc')
    .orderBy('i.id'),
);

/**
 * Takes the labeler's lock ({@link lockLabelers}) and reads {@link listExpiredAndLabelerLeases}: on
 * PostgreSQL in one round trip (`queue_claim_leases`, whose query runs after the lock is granted
 * and so sees what the labeler's previous claim or labels committed). SQLite needs no lock.
 */
export async function lockLabelerListingLeases(db: Db, modelId: number, labeler: string, now: string): Promise<LeaseRow[]> {
  if (!isPostgres(db)) return listExpiredAndLabelerLeases(db, modelId, labeler, now);
  const key = labelerLockKey(modelId, labeler);
  const { rows } = await sql<LeaseRow>`select id, item_id, labeler, expires_at from queue_claim_leases(${LOCKS.labeler}, ${key}, ${modelId}, ${labeler}, ${now})`.execute(db);
  return rows;
}

/**
 * Takes the locks of these labelers of the model until the transaction `db` ends, in one order
 * (so two batches naming the same labelers cannot deadlock): a labeler's claims and labels then
 * run one at a time, and a claim never hands out an item its labeler is labeling meanwhile.
 * Taken before the queue lock, as claims do.
 */
export async function lockLabelers(db: Db, modelId: number, labelers: readonly string[]): Promise<void> {
  const keys = [...new Set(labelers.map((l) => labelerLockKey(modelId, l)))].sort((a, b) => a - b);
  for (const key of keys) await lockUntilCommit(db, 'labeler', key);
}

/** A labeler's lock key: the hash of model and name, as a signed 32-bit integer (a collision only serialises two labelers). */
export function labelerLockKey(modelId: number, labeler: string): number {
  return hash32(`${modelId}\0${labeler}`, 0) | 0;
}

/**
 * Of the `expired` leases a claim read in its transaction, those it gives back there: on SQLite
 * all of them; on PostgreSQL none, as the claim gave them back just before, in a statement of
 * their own (`releaseExpiredAtOnce`), and leaves what that passed over to a later claim.
 */
export function expiredToReleaseInClaim(db: Db, expired: LeaseRow[]): LeaseRow[] {
  return isPostgres(db) ? [] : expired;
}

/** Leases of the model that expired at or before `now`. */
export function listExpiredLeases(db: Db, modelId: number, now: string): Promise<LeaseRow[]> {
  return db
    .selectFrom('queue_leases')
    .select(['id', 'item_id', 'labeler', 'expires_at'])
    .where('model_id', '=', modelId)
    .where('expires_at', '<=', now)
    .execute();
}

/**
 * Deletes leases; returns the items of those this call deleted (not those another transaction
 * already had). With `expiredBy`, only leases that still expire by then: one the labeler's claim
 * renewed meanwhile stays.
 */
export async function deleteLeases(db: Db, ids: number[], expiredBy?: string): Promise<number[]> {
  const items: number[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const { rows } = await db.executeQuery(deleteLeasesStatement(db, { ids: ids.slice(i, i + 500), expiredBy }));
    items.push(...rows.map((r) => r.item_id));
  }
  return items;
}

const deleteLeasesStatement = compiledOnce((db, v: { ids: number[]; expiredBy: string | undefined }) =>
  db
    .deleteFrom('queue_leases')
    .where('id', 'in', v.ids)
    .$if(v.expiredBy !== undefined, (q) => q.where('expires_at', '<=', v.expiredBy!))
    .returning('item_id'),
);

/** Records that the labeler does not want the item offered again; repeating it changes nothing. */
export async function insertSkip(db: Db, row: { model_id: number; item_id: number; labeler: string; created_at: string }): Promise<void> {
  await db
    .insertInto('queue_skips')
    .values(row)
    .onConflict((oc) => oc.columns(['item_id', 'labeler']).doNothing())
    .execute();
}

/** Skips per labeler. */
export function countSkipsByLabeler(db: Db, modelId: number): Promise<{ labeler: string; n: number }[]> {
  return db
    .selectFrom('queue_skips')
    .select(['labeler', (eb) => eb.fn.countAll<number>().as('n')])
    .where('model_id', '=', modelId)
    .groupBy('labeler')
    .execute();
}
