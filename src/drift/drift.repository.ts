import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { DriftEventTable, DriftSnapshotTable } from '../db/schema.js';

export type SnapshotRow = Selectable<DriftSnapshotTable>;
export type EventRow = Selectable<DriftEventTable>;

export async function insertSnapshot(db: Db, row: Insertable<DriftSnapshotTable>): Promise<number> {
  const { id } = await db.insertInto('drift_snapshots').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export function findLastSnapshot(db: Db, modelId: number): Promise<SnapshotRow | undefined> {
  return db.selectFrom('drift_snapshots').selectAll().where('model_id', '=', modelId).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** The most recent snapshots, oldest first. */
export async function listSnapshots(db: Db, modelId: number, limit: number): Promise<SnapshotRow[]> {
  const rows = await db.selectFrom('drift_snapshots').selectAll().where('model_id', '=', modelId).orderBy('id', 'desc').limit(limit).execute();
  return rows.reverse();
}

/** Keeps the newest `keep` snapshots of a model: history is for charts, not an audit log (events are kept). */
export async function pruneSnapshots(db: Db, modelId: number, keep: number): Promise<void> {
  const cutoff = await db
    .selectFrom('drift_snapshots')
    .select('id')
    .where('model_id', '=', modelId)
    .orderBy('id', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (!cutoff) return;
  const referenced = db.selectFrom('drift_events').select('snapshot_id');
  await db
    .deleteFrom('drift_snapshots')
    .where('model_id', '=', modelId)
    .where('id', '<=', cutoff.id)
    .where('id', 'not in', referenced)
    .execute();
}

export async function insertEvent(db: Db, row: Insertable<DriftEventTable>): Promise<number> {
  const { id } = await db.insertInto('drift_events').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** The model's newest event, of `kind` when given. */
export function findLastEvent(db: Db, modelId: number, kind?: string): Promise<EventRow | undefined> {
  let q = db.selectFrom('drift_events').selectAll().where('model_id', '=', modelId);
  if (kind !== undefined) q = q.where('kind', '=', kind);
  return q.orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** Events by id, oldest first. */
export function listEventsById(db: Db, ids: number[]): Promise<EventRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('drift_events').selectAll().where('id', 'in', ids).orderBy('id').execute();
}

/** The most recent events, newest first. */
export function listEvents(db: Db, modelId: number, limit: number): Promise<EventRow[]> {
  return db.selectFrom('drift_events').selectAll().where('model_id', '=', modelId).orderBy('id', 'desc').limit(limit).execute();
}
