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
 * Up to `limit` pending items `labeler` may take, highest priority first: the
 * pool a selection policy orders. Same exclusions as a claim (skipped, leased or labeled by them).
 */
export function listCandidatePool(db: Db, modelId: number, labeler: string, limit: number, region?: number): Promise<PoolRow[]> {
  return db
    .selectFrom('queue_items as i')
    .select(['i.id', 'i.region', 'i.priority', 'i.prediction_id', 'i.prediction_seq'])
    .where('i.model_id', '=', modelId)
    .$if(region !== undefined, (q) => q.where('i.region', '=', region!))
    .where('i.status', '=', 'pending' satisfies ItemStatus)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('queue_skips as s').select('s.item_id').whereRef('s.item_id', '=', 'i.id').where('s.labeler', '=', labeler))))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('queue_leases as l').select('l.item_id').whereRef('l.item_id', '=', 'i.id').where('l.labeler', '=', labeler))))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('queue_labels as b').select('b.item_id').whereRef('b.item_id', '=', 'i.id').where('b.labeler', '=', labeler))))
    .orderBy('i.priority', 'desc')
    .orderBy('i.id')
    .limit(limit)
    .execute();
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
