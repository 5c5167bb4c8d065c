import type { Db } from '../../db/database.js';
import { OPEN_STATUSES, type ItemStatus } from '../item-status.js';

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
 * holds or labeled (`listEligible`), so one ranking serves every labeler.
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

/**
 * Of `ids`, those `labeler` may take now (pending, not skipped, leased or labeled by them), and
 * those no claim will hand out again (labeled or out of scope), which a ranking can drop.
 */
export async function listEligible(db: Db, modelId: number, labeler: string, ids: number[]): Promise<{ eligible: Set<number>; closed: Set<number> }> {
  if (ids.length === 0) return { eligible: new Set(), closed: new Set() };
  const rows = await db
    .selectFrom('queue_items as i')
    .select(['i.id', 'i.status'])
    .select(({ exists, selectFrom }) => [
      exists(selectFrom('queue_skips as s').select('s.item_id').whereRef('s.item_id', '=', 'i.id').where('s.labeler', '=', labeler)).as('skipped'),
      exists(selectFrom('queue_leases as l').select('l.item_id').whereRef('l.item_id', '=', 'i.id').where('l.labeler', '=', labeler)).as('leased'),
      exists(selectFrom('queue_labels as b').select('b.item_id').whereRef('b.item_id', '=', 'i.id').where('b.labeler', '=', labeler)).as('labeled'),
    ])
    .where('i.model_id', '=', modelId)
    .where('i.id', 'in', ids)
    .execute();
  const open = new Set<string>(OPEN_STATUSES);
  const eligible = new Set<number>();
  const closed = new Set(ids);
  for (const r of rows) {
    if (open.has(r.status)) closed.delete(r.id);
    if (r.status === 'pending' && !truthy(r.skipped) && !truthy(r.leased) && !truthy(r.labeled)) eligible.add(r.id);
  }
  return { eligible, closed };
}

/** EXISTS comes back as 0/1 from SQLite and as a boolean from PostgreSQL. */
const truthy = (v: unknown) => v === true || v === 1 || v === '1';

/** Items of the model with at least one label, and their region. */
export function listLabeledItems(db: Db, modelId: number): Promise<{ id: number; region: number | null }[]> {
  return db
    .selectFrom('queue_items')
    .select(['id', 'region'])
    .where('model_id', '=', modelId)
    .where('labels_count', '>', 0)
    .execute();
}
