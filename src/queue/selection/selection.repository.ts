import type { Db } from '../../db/database.js';
import type { ItemStatus } from '../item-status.js';

export interface PoolRow {
  id: number;
  region: number | null;
  priority: number;
  prediction_id: string;
  prediction_seq: number;
}

/**
 * Up to `limit` pending items of the model (of one region), highest priority first: the pool a
 * selection policy orders. Any labeler's: a claim then passes over what its labeler skipped,
 * holds or labeled (`listBarred`), so one ranking serves every labeler.
 */
export function listCandidatePool(db: Db, modelId: number, limit: number, region?: number): Promise<PoolRow[]> {
  return db
    .selectFrom('queue_items as i')
    .select(['i.id', 'i.region', 'i.priority', 'i.prediction_id', 'i.prediction_seq'])
    .where('i.model_id', '=', modelId)
    .$if(region !== undefined, (q) => q.where('i.region', '=', region!))
    .where('i.status', '=', 'pending' satisfies ItemStatus)
    .orderBy('i.priority', 'desc')
    .orderBy('i.id')
    .limit(limit)
    .execute();
}

/** Of `ids`, those of the model still pending (a free slot, no lease on it yet). */
export async function listPending(db: Db, modelId: number, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  // Looked up by id alone: with model_id in the WHERE, SQLite would rather scan the model's index.
  const rows = await db.selectFrom('queue_items').select(['id', 'model_id', 'status']).where('id', 'in', ids).execute();
  return new Set(rows.filter((r) => r.model_id === modelId && r.status === ('pending' satisfies ItemStatus)).map((r) => r.id));
}

/** Of `ids`, those `labeler` may not take: skipped, leased or labeled by them. */
export async function listBarred(db: Db, labeler: string, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('queue_skips')
    .select('item_id')
    .where('labeler', '=', labeler)
    .where('item_id', 'in', ids)
    .union(db.selectFrom('queue_leases').select('item_id').where('labeler', '=', labeler).where('item_id', 'in', ids))
    .union(db.selectFrom('queue_labels').select('item_id').where('labeler', '=', labeler).where('item_id', 'in', ids))
    .execute();
  return new Set(rows.map((r) => r.item_id));
}

/** Items of the model with at least one label, and their region. */
export function listLabeledItems(db: Db, modelId: number): Promise<{ id: number; region: number | null }[]> {
  return db
    .selectFrom('queue_items')
    .select(['id', 'region'])
    .where('model_id', '=', modelId)
    .where('labels_count', '>', 0)
    .execute();
}
