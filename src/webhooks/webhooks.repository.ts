import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import { isPostgres } from '../db/dialect.js';
import type { DeliveryStatus, WebhookAttemptTable, WebhookDeliveryTable } from '../db/schema.js';

export type DeliveryRow = Selectable<WebhookDeliveryTable>;
export type NewDeliveryRow = Insertable<WebhookDeliveryTable>;
type AttemptRow = Selectable<WebhookAttemptTable>;

export async function insertDeliveries(db: Db, rows: NewDeliveryRow[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db.insertInto('webhook_deliveries').values(rows).returning('id').execute();
  return inserted.map((r) => r.id);
}

/**
 * Claims up to `limit` pending deliveries due at `now`, oldest first, for whichever instance
 * calls: their next attempt moves to `leaseUntil`, so no other instance takes them before
 * then, and another does take them then if this one died before recording its attempt.
 * The due check is repeated on the row updated, so two instances never claim the same one.
 */
export async function claimDueDeliveries(db: Db, now: string, leaseUntil: string, limit: number): Promise<DeliveryRow[]> {
  const due = db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .$if(isPostgres(db), (qb) => qb.forUpdate().skipLocked());
  const claimed = await db
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: leaseUntil })
    .where('id', 'in', due)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .returningAll()
    .execute();
  return claimed.sort((a, b) => a.id - b.id);
}

/** Gives a claimed delivery back, due at `now`, without counting an attempt. */
export async function releaseClaim(db: Db, id: number, now: string): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ next_attempt_at: now }).where('id', '=', id).where('status', '=', 'pending').execute();
}

/** When the next pending delivery is due, if any. */
export async function nextDueAt(db: Db): Promise<string | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.min('next_attempt_at').as('due'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row?.due ?? undefined;
}

/** Records one attempt and the delivery's new state, together. */
export async function recordAttempt(
  db: Db,
  attempt: Insertable<WebhookAttemptTable>,
  delivery: Pick<DeliveryRow, 'status' | 'attempts' | 'next_attempt_at' | 'last_status_code' | 'last_error' | 'updated_at'>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('webhook_attempts').values(attempt).execute();
    await trx.updateTable('webhook_deliveries').set(delivery).where('id', '=', attempt.delivery_id).execute();
  });
}

export function cancelDelivery(db: Db, id: number, reason: string, now: string) {
  return db.updateTable('webhook_deliveries').set({ status: 'canceled', last_error: reason, next_attempt_at: null, updated_at: now }).where('id', '=', id).execute();
}

/** Deliveries of the given events, for summaries. */
export function listDeliveriesOfEvents(db: Db, eventType: string, eventIds: number[]): Promise<DeliveryRow[]> {
  if (eventIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('webhook_deliveries').selectAll().where('event_type', '=', eventType).where('event_id', 'in', eventIds).orderBy('id').execute();
}

/** Deliveries, newest first, optionally of one status. */
export function listDeliveries(db: Db, filter: { status?: DeliveryStatus | undefined; limit: number }): Promise<DeliveryRow[]> {
  let q = db.selectFrom('webhook_deliveries').selectAll();
  if (filter.status) q = q.where('status', '=', filter.status);
  return q.orderBy('id', 'desc').limit(filter.limit).execute();
}

/** How many deliveries are in each status. */
export async function countDeliveriesByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
