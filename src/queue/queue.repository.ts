import { sql, type CompiledQuery, type Insertable, type RawBuilder, type Selectable } from 'kysely';
import { compiledOnce } from '../db/compiled-once.js';
import type { Db } from '../db/database.js';
import { isPostgres, LOCKS, lockUntilCommit, notIndexed } from '../db/dialect.js';
import type { QueueItemTable } from '../db/schema.js';
import { OPEN_STATUSES, type ItemStatus } from './item-status.js';
import type { QueueReads } from './queue.ports.js';
import { insertLease } from './leases.repository.js';

export type NewQueueItemRow = Insertable<QueueItemTable>;
export type QueueItemRow = Selectable<QueueItemTable>;

/**
 * Takes the model's queue lock until the transaction `db` ends: labels, lease expiry, enqueueing,
 * boosts and claims that give back expired leases change items of one model one at a time across
 * every instance, so they neither deadlock on item rows nor release a lease twice. Other claims
 * do without it: they take items with `FOR UPDATE SKIP LOCKED` (never waiting for a row) and, on
 * PostgreSQL, the trigger-kept counts change by insert-only rows (migration 0023).
 * SQLite runs one write transaction at a time already.
 */
export function lockQueue(db: Db, modelId: number): Promise<void> {
  return lockUntilCommit(db, 'queue', modelId);
}

/**
 * Takes the model's queue lock (as {@link lockQueue}) and tells whether the model has items above
 * `afterId`: on PostgreSQL in one round trip (`queue_lock_newer_items`, whose query runs after the
 * lock is granted and so sees what the previous holder committed). On SQLite, which needs no
 * lock, always true: the caller reads the items as before.
 */
export async function lockQueueSeeingNewer(db: Db, modelId: number, afterId: number): Promise<boolean> {
  if (!isPostgres(db)) return true;
  const { rows } = await sql<{ newer: boolean }>`select queue_lock_newer_items(${LOCKS.queue}, ${modelId}, ${afterId}) as newer`.execute(db);
  return rows[0]?.newer !== false;
}

/**
 * On PostgreSQL, a guard for a {@link StatementTrip}: takes the model's queue lock and answers one
 * row when the model has no item above `afterId` (the near-duplicate index is current), none when
 * it has. Undefined on SQLite, which needs no lock: the caller reads the items as before.
 */
export function lockQueueIfCurrent(db: Db, modelId: number, afterId: number): CompiledQuery | undefined {
  if (!isPostgres(db)) return undefined;
  return sql`select 1 as current where not queue_lock_newer_items(${LOCKS.queue}, ${modelId}, ${afterId})`.compile(db);
}

export function findItem(db: Db, modelId: number, id: number): Promise<QueueItemRow | undefined> {
  return db.selectFrom('queue_items').selectAll().where('model_id', '=', modelId).where('id', '=', id).executeTakeFirst();
}

/**
 * {@link findItem}, holding the item's row until the transaction `db` ends (on PostgreSQL): its
 * counts are read after a claim taking a slot meanwhile commits, and later claims pass it over.
 */
export function findItemForUpdate(db: Db, modelId: number, id: number): Promise<QueueItemRow | undefined> {
  return db
    .selectFrom('queue_items')
    .selectAll()
    .where('model_id', '=', modelId)
    .where('id', '=', id)
    .$if(isPostgres(db), (qb) => qb.forUpdate())
    .executeTakeFirst();
}

/** Those of `ids` that are items of the model, in no particular order. */
export async function findItems(db: Db, modelId: number, ids: number[]): Promise<QueueItemRow[]> {
  const rows: QueueItemRow[] = [];
  for (const query of findItemsStatements(db, modelId, ids)) rows.push(...(await db.executeQuery(query)).rows);
  return rows;
}

/** The statements of {@link findItems}, one per 500 ids, for a trip. */
export function findItemsStatements(db: Db, modelId: number, ids: number[]): CompiledQuery<QueueItemRow>[] {
  const statements: CompiledQuery<QueueItemRow>[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    // By primary key: from five ids on, SQLite would walk every item of the model on an index of `model_id`.
    statements.push(itemsById(db, { modelId, ids: ids.slice(i, i + 500) }));
  }
  return statements;
}

// Compiled once per number of ids up to 16 (more are built as usual).
const itemsById = compiledOnce((db, { modelId, ids }: { modelId: number; ids: number[] }) =>
  db.selectFrom('queue_items').selectAll().where(notIndexed('model_id'), '=', modelId).where('id', 'in', ids),
);

/** The statement that records another recurrence of an item's input (answering the item's id, for a trip). */
export function updateItemWeightStatement(db: Db, id: number, fields: { weight: number; priority: number; last_seen_at: string }): CompiledQuery {
  return updateItemWeight(db, { id, ...fields });
}

const updateItemWeight = compiledOnce((db, { id, ...fields }: { id: number; weight: number; priority: number; last_seen_at: string }) =>
  db.updateTable('queue_items').set(fields).where('id', '=', id).returning('id'),
);

/** Items above `afterId` with their embeddings, oldest first, a page at a time (index catch-up). */
export async function listItemEmbeddings(
  db: Db,
  reads: Pick<QueueReads['predictions'], 'predictionEmbeddingsBySeq'>,
  modelId: number,
  afterId: number,
  limit: number,
): Promise<{ id: number; embedding: Buffer }[]> {
  const { rows: items } = await db.executeQuery(itemsAbove(db, { modelId, afterId, limit }));
  const embeddings = await reads.predictionEmbeddingsBySeq(db, modelId, items.map((i) => i.prediction_seq));
  return items.flatMap((i) => {
    const embedding = embeddings.get(i.prediction_seq);
    return embedding ? [{ id: i.id, embedding }] : [];
  });
}

// Compiled once: on SQLite every ingest batch that queues something reads it (to catch the index up).
const itemsAbove = compiledOnce((db, { modelId, afterId, limit }: { modelId: number; afterId: number; limit: number }) =>
  db
    .selectFrom('queue_items as i')
    .select(['i.id', 'i.prediction_seq'])
    // `+` keeps SQLite on the id range (no sort) instead of scanning the model's whole index.
    .where(sql<number>`+i.model_id`, '=', modelId)
    .where('i.id', '>', afterId)
    .orderBy('i.id')
    .limit(limit),
);

/** The id just below the model's `n` newest items (0 when it has `n` or fewer): where a window of them starts. */
export async function idBeforeNewest(db: Db, modelId: number, n: number): Promise<number> {
  const row = await db
    .selectFrom('queue_items')
    .select('id')
    .where('model_id', '=', modelId)
    .orderBy('id', 'desc')
    .limit(1)
    .offset(n)
    .executeTakeFirst();
  return row ? Number(row.id) : 0;
}

/** Items of the model with `afterId < id <= maxId`. */
export async function countItemsBetween(db: Db, modelId: number, afterId: number, maxId: number): Promise<number> {
  const row = await db
    .selectFrom('queue_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    // `+` keeps SQLite on the id range (the near-duplicate window) instead of the model's whole index:
    // at 1M items 10–12 ms instead of two counts of 44–79 ms, on the event loop when an index is restored.
    .where(sql<number>`+model_id`, '=', modelId)
    .where('id', '>', afterId)
    .where('id', '<=', maxId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Up to `limit` pending items `labeler` may take, best first: not skipped by them, not already
 * leased or labeled by them (blind multi-labeler review). Unexecuted: {@link leaseBest} runs it,
 * benchmarks print its plan.
 */
export function claimCandidatesQuery(db: Db, modelId: number, labeler: string, limit: number | RawBuilder<number>, region?: number, waitForLocked = false) {
  return db
    .selectFrom('queue_items as i')
    .select('i.id')
    .where('i.model_id', '=', modelId)
    .$if(region !== undefined, (q) => q.where('i.region', '=', region!))
    .where('i.status', '=', 'pending' satisfies ItemStatus)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('queue_skips as s').select('s.item_id').whereRef('s.item_id', '=', 'i.id').where('s.labeler', '=', labeler))),
    )
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('queue_leases as l').select('l.item_id').whereRef('l.item_id', '=', 'i.id').where('l.labeler', '=', labeler))),
    )
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('queue_labels as b').select('b.item_id').whereRef('b.item_id', '=', 'i.id').where('b.labeler', '=', labeler))),
    )
    .orderBy('i.priority', 'desc')
    .orderBy('i.id')
    .limit(limit)
    // Rows another transaction is changing are passed over, not waited for (unless `waitForLocked`).
    .$if(isPostgres(db), (qb) => (waitForLocked ? qb.forUpdate('i') : qb.forUpdate('i').skipLocked()));
}

/** What a slot may be taken of: an open item with fewer labels and live leases than it needs. */
function slotFree() {
  return sql<boolean>`status in (${sql.join([...OPEN_STATUSES])}) and labels_count + leases_count < labels_needed`;
}

/** Takes one free slot of an open item; false when another claim got there first. */
export async function takeSlot(db: Db, id: number): Promise<boolean> {
  const result = await db
    .updateTable('queue_items')
    .set((eb) => ({ leases_count: eb('leases_count', '+', 1) }))
    .where('id', '=', id)
    .where(slotFree())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives back one leased slot per listed item (an item may appear more than once). */
export async function releaseSlots(db: Db, ids: number[]): Promise<void> {
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const [id, n] of counts) await db.executeQuery(releaseSlotsStatement(db, { id, n }));
}

const releaseSlotsStatement = compiledOnce((db, { id, n }: { id: number; n: number }) =>
  db
    .updateTable('queue_items')
    .set((eb) => ({ leases_count: sql<number>`case when ${eb.ref('leases_count')} > ${n} then ${eb.ref('leases_count')} - ${n} else 0 end` }))
    .where('id', '=', id),
);

/**
 * Takes back one label from each listed item, as {@link countLabel} counted it: an out-of-scope
 * label from the out-of-scope count too. Left there, a retracted out-of-scope mark outvoted the
 * next labeler's concept label, and the item was `out_of_scope` (kept from training) for good.
 */
export async function uncountLabels(db: Db, labels: { itemId: number; outOfScope: boolean }[]): Promise<void> {
  for (const outOfScope of [false, true]) {
    const ids = labels.filter((l) => l.outOfScope === outOfScope).map((l) => l.itemId);
    for (let i = 0; i < ids.length; i += 500) {
      await db
        .updateTable('queue_items')
        // Not max(0, …): that is SQLite's scalar max, and an aggregate on PostgreSQL (the retract failed there).
        .set((eb) => ({
          labels_count: sql<number>`case when ${eb.ref('labels_count')} > 0 then ${eb.ref('labels_count')} - 1 else 0 end`,
          ...(outOfScope ? { out_of_scope_count: sql<number>`case when ${eb.ref('out_of_scope_count')} > 0 then ${eb.ref('out_of_scope_count')} - 1 else 0 end` } : {}),
        }))
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
    }
  }
}

/** Counts a label on an item. */
export async function countLabel(db: Db, id: number, outOfScope: boolean): Promise<void> {
  await db
    .updateTable('queue_items')
    .set((eb) => ({
      labels_count: eb('labels_count', '+', 1),
      out_of_scope_count: eb('out_of_scope_count', '+', outOfScope ? 1 : 0),
    }))
    .where('id', '=', id)
    .execute();
}

/**
 * An item's status from its counts: the one place the status rule lives. Done when labels reach
 * the need (out of scope by strict majority), leased when labels plus live leases fill it,
 * pending otherwise. `takenSlots` counts leases the same UPDATE adds (its SET sees the old counts).
 */
function derivedStatus(takenSlots = 0) {
  return sql<ItemStatus>`case
    when labels_count >= labels_needed then case when out_of_scope_count * 2 > labels_count then 'out_of_scope' else 'labeled' end
    when labels_count + leases_count + ${sql.lit(takenSlots)} >= labels_needed then 'leased'
    else 'pending' end`;
}

/** The status rule as SQL text over an item's columns, for PL/pgSQL functions that give slots back. */
export function statusRuleSql(db: Db): string {
  return derivedStatus().compile(db).sql;
}

/** Derives each item's status from its counts. */
export async function refreshStatus(db: Db, ids: number[], now: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    if (isPostgres(db)) {
      await db.executeQuery(refreshStatusStatement(db, { ids: chunk, now }));
      continue;
    }
    // SQLite rewrites an item's entry in every index of a column the UPDATE sets, changed or not:
    // setting `labeled_at` on an item that stays open (most refreshes: a lease taken or given
    // back) rewrote a page of `queue_items_labeled` for nothing. Items with fewer labels than
    // needed and no `labeled_at` (which the full statement would leave null) get the status
    // alone; the rest, the full statement.
    await db.executeQuery(refreshOpenStatusStatement(db, { ids: chunk }));
    await db.executeQuery(refreshRestStatement(db, { ids: chunk, now }));
  }
}

/** Labels still missing and no `labeled_at`: {@link refreshStatusStatement} would set the status and leave `labeled_at` null. */
const stillOpen = sql<boolean>`labels_count < labels_needed and labeled_at is null`;

const refreshOpenStatusStatement = compiledOnce((db, { ids }: { ids: number[] }) =>
  db.updateTable('queue_items').set({ status: derivedStatus() }).where('id', 'in', ids).where(stillOpen),
);

const refreshStatusStatement = compiledOnce((db, { ids, now }: { ids: number[]; now: string }) => refreshAll(db, ids, now));

/** {@link refreshAll} of the items {@link refreshOpenStatusStatement} left. */
const refreshRestStatement = compiledOnce((db, { ids, now }: { ids: number[]; now: string }) => refreshAll(db, ids, now).where(sql<boolean>`not (${stillOpen})`));

function refreshAll(db: Db, ids: number[], now: string) {
  return db
    .updateTable('queue_items')
    .set({
      status: derivedStatus(),
      labeled_at: sql<string | null>`case when labels_count >= labels_needed then coalesce(labeled_at, ${now}) else null end`,
    })
    .where('id', 'in', ids);
}

/** The item columns a claim hands out (with its prediction's details, read from their owner). */
export const CLAIM_ITEM_COLUMNS = ['id', 'priority', 'weight', 'reasons_json', 'drift_boost', 'labels_needed', 'prediction_id', 'prediction_seq'] as const;
export type ClaimItemRow = Pick<QueueItemRow, (typeof CLAIM_ITEM_COLUMNS)[number]>;

/** Those of `ids` that are items of the model, with the columns a claim hands out, in no particular order. */
export async function findClaimItems(db: Db, modelId: number, ids: number[]): Promise<ClaimItemRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('queue_items')
    .select(CLAIM_ITEM_COLUMNS)
    .where('id', 'in', ids)
    // By primary key, not by an index of `model_id` (every item of the model) once a claim takes two or more.
    .where(notIndexed('model_id'), '=', modelId)
    .execute();
}

/** What {@link leaseBest} leases: the claim's labeler, how many, and the lease's times. */
export interface BestLease {
  modelId: number;
  labeler: string;
  limit: number;
  region?: number | undefined;
  expiresAt: string;
  now: string;
  /**
   * On PostgreSQL, when every candidate is row-locked by another transaction (a drift boost, an
   * ingest adding weight to items), wait for one of them instead of leasing nothing. Only for a
   * claim that holds no item row yet: one that does could wait for a transaction waiting for it.
   */
  waitIfAllLocked?: boolean;
}

/**
 * Leases up to `limit` of the best items `labeler` may take (as {@link claimCandidatesQuery} picks
 * them): takes a slot of each, records the lease and derives the item's status; returns the
 * items leased, best first, with the columns a claim hands out. On PostgreSQL that is one
 * statement (its RETURNING saves the claim a read), so a claim holds the queue lock for one round
 * trip instead of three per item; on SQLite, where a statement is a function call, the same steps
 * one by one.
 */
export async function leaseBest(db: Db, lease: BestLease): Promise<ClaimItemRow[]> {
  if (isPostgres(db)) {
    const leased = (await leaseStatement(db, lease, lease.limit, false).execute(db)).rows;
    // One row: waiting for a second while holding the first could close a cycle (migration 0030).
    return leased.length === 0 && lease.waitIfAllLocked ? (await leaseStatement(db, lease, 1, true).execute(db)).rows : leased;
  }
  // Per candidate, one UPDATE takes the slot, derives the status and returns the columns (as the
  // PostgreSQL statement does), instead of a slot update, a status update and a read: a claim is
  // three statements on the event loop instead of five.
  const leased: ClaimItemRow[] = [];
  const { modelId, labeler, limit, region } = lease;
  for (const { id } of (await db.executeQuery(candidatesStatement(db, { modelId, labeler, limit, region }))).rows) {
    const row = (await db.executeQuery(takeSlotReturning(db, { id }))).rows[0];
    if (!row) continue;
    await insertLease(db, { model_id: lease.modelId, item_id: id, labeler: lease.labeler, expires_at: lease.expiresAt, created_at: lease.now });
    leased.push(row);
  }
  return leased;
}

/** {@link claimCandidatesQuery} as SQLite's {@link leaseBest} runs it. */
const candidatesStatement = compiledOnce((db, v: { modelId: number; labeler: string; limit: number; region: number | undefined }) =>
  claimCandidatesQuery(db, v.modelId, v.labeler, v.limit, v.region),
);

/** SQLite's {@link leaseBest} per candidate: takes a slot, derives the status, answers the columns a claim hands out. */
const takeSlotReturning = compiledOnce((db, { id }: { id: number }) =>
  db
    .updateTable('queue_items')
    .set((eb) => ({ leases_count: eb('leases_count', '+', 1), status: derivedStatus(1) }))
    .where('id', '=', id)
    .where(slotFree())
    .returning(CLAIM_ITEM_COLUMNS),
);

/**
 * PostgreSQL's lease statement of {@link leaseBest}: one statement, passing over locked candidates
 * or waiting for them. Its limit may be a placeholder (the one-call claim,
 * `claim-at-once.repository.ts`, runs it with the limit it has left).
 */
export function leaseStatement(db: Db, lease: Omit<BestLease, 'limit'>, limit: number | RawBuilder<number>, waitForLocked: boolean) {
  const candidates = claimCandidatesQuery(db, lease.modelId, lease.labeler, limit, lease.region, waitForLocked);
  const columns = sql.join(CLAIM_ITEM_COLUMNS.map((c) => sql.ref(c)));
  return sql<ClaimItemRow>`
    with picked as (${candidates}),
    taken as (
      update queue_items set leases_count = leases_count + 1, status = ${derivedStatus(1)}
      where id in (select id from picked) and ${slotFree()}
      returning ${columns}
    ),
    leased as (
      insert into queue_leases (model_id, item_id, labeler, expires_at, created_at)
      select ${lease.modelId}, id, ${lease.labeler}, ${lease.expiresAt}, ${lease.now} from taken
    )
    select ${columns} from taken order by priority desc, id`;
}

/**
 * On PostgreSQL, gives back the model's leases that expired by `now`, with their slots and the
 * items' status, in one statement committed at once (`queue_release_expired`, migration 0022):
 * under the model's lease-expiry lock, so claims that saw expired leases see what the one before
 * gave back, and passing over lease and item rows another transaction holds instead of waiting
 * for them (a later claim gives those back). Returns how many items got slots back. On SQLite,
 * where a claim gives them back inside its transaction, 0.
 */
export async function releaseExpiredAtOnce(db: Db, modelId: number, now: string): Promise<number> {
  if (!isPostgres(db)) return 0;
  const { rows } = await sql<{ n: number }>`select queue_release_expired(${LOCKS.leaseExpiry}, ${modelId}, ${now}, ${statusRuleSql(db)}) as n`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Applies a changed `labelsPerItem` to every open item of the model. */
export async function setLabelsNeeded(db: Db, modelId: number, needed: number, now: string): Promise<void> {
  const open = await db
    .updateTable('queue_items')
    .set({ labels_needed: needed })
    .where('model_id', '=', modelId)
    .where('status', 'in', [...OPEN_STATUSES])
    .where('labels_needed', '!=', needed)
    .returning('id')
    .execute();
  await refreshStatus(db, open.map((r) => r.id), now);
}

/**
 * Item counts of a model by status and, for open items, by reason (kept by triggers: no scan). On
 * PostgreSQL the kept counts plus the changes not compacted into them yet (`queue_count_deltas`,
 * migration 0023), in one statement so that one snapshot sees a compaction whole or not at all;
 * on SQLite that table stays empty.
 */
export async function readCounts(db: Db, modelId: number): Promise<{ status: Record<ItemStatus, number>; openByReason: Record<string, number> }> {
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('queue_counts')
        .select(['name', 'n'])
        .where('model_id', '=', modelId)
        .unionAll(eb.selectFrom('queue_count_deltas').select(['name', 'n']).where('model_id', '=', modelId))
        .as('c'),
    )
    .select(['c.name', sql<number>`cast(sum(c.n) as bigint)`.as('n')])
    .groupBy('c.name')
    .execute();
  const status: Record<ItemStatus, number> = { pending: 0, leased: 0, labeled: 0, out_of_scope: 0 };
  const openByReason: Record<string, number> = {};
  for (const { name, n } of rows) {
    const [kind, key] = name.split(':') as [string, string];
    if (kind === 'status' && key in status) status[key as ItemStatus] = n;
    else if (kind === 'open' && n > 0) openByReason[key] = n;
  }
  return { status, openByReason };
}

/** Raises the open, unboosted items opened by the given (OOD) predictions by `amount`; returns how many. */
export async function boostOpenOod(db: Db, modelId: number, predictionSeqs: readonly number[], amount: number): Promise<number> {
  // Driven by the recent OOD predictions (the unique prediction_seq index), not by the model's open items (all of them).
  let boosted = 0;
  for (let i = 0; i < predictionSeqs.length; i += 500) {
    const result = await db
      .updateTable('queue_items')
      .set((eb) => ({ priority: eb('priority', '+', amount), drift_boost: amount }))
      .where(notIndexed('model_id'), '=', modelId)
      .where('prediction_seq', 'in', predictionSeqs.slice(i, i + 500))
      .where('status', 'in', [...OPEN_STATUSES])
      .where('drift_boost', '=', 0)
      .executeTakeFirst();
    boosted += Number(result.numUpdatedRows);
  }
  return boosted;
}

/** Removes every drift boost of the model; returns how many items lost one. */
export async function clearBoosts(db: Db, modelId: number): Promise<number> {
  const result = await db
    .updateTable('queue_items')
    .set((eb) => ({ priority: eb('priority', '-', eb.ref('drift_boost')), drift_boost: 0 }))
    .where('model_id', '=', modelId)
    .where('drift_boost', '>', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Pending items of a model (from the trigger-kept counts) and when the oldest of them was queued
 * (null when none): read at every metrics scrape, so neither counts nor walks the pending items.
 */
export async function findPendingDepth(db: Db, modelId: number): Promise<{ pending: number; oldestAt: string | null }> {
  const [counted, oldest] = await Promise.all([
    readCounts(db, modelId),
    // The literal lets SQLite's planner use the partial index queue_items_pending_age (migration 0021).
    db.selectFrom('queue_items').select((eb) => eb.fn.min<string | null>('created_at').as('oldest')).where('model_id', '=', modelId).where('status', '=', sql.lit('pending')).executeTakeFirst(),
  ]);
  return { pending: Number(counted.status.pending), oldestAt: oldest?.oldest ?? null };
}
