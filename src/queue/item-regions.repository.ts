import type { Db } from '../db/database.js';

/**
 * Sets the region of the items opened by the given predictions, and clears it on items opened
 * before `fromSeq` (they left the regions window). Run it inside a transaction.
 */
export async function tagItemRegions(db: Db, modelId: number, regionOfSeq: Map<number, number>, fromSeq: number): Promise<void> {
  await db.updateTable('queue_items').set({ region: null }).where('model_id', '=', modelId).where('region', 'is not', null).where('prediction_seq', '<', fromSeq).execute();
  const byRegion = new Map<number, number[]>();
  for (const [seq, region] of regionOfSeq) byRegion.set(region, [...(byRegion.get(region) ?? []), seq]);
  for (const [region, seqs] of byRegion) {
    for (let i = 0; i < seqs.length; i += 500) {
      await db.updateTable('queue_items').set({ region }).where('prediction_seq', 'in', seqs.slice(i, i + 500)).where('model_id', '=', modelId).execute();
    }
  }
}

/** A pending item near another, with what a thumbnail needs. */
export interface SimilarItemRow {
  id: number;
  prediction_id: string;
  input_json: string | null;
}

/** Of the given items, those still pending with no live lease and no label (free to label alongside), in any order. */
export function listFreePending(db: Db, modelId: number, ids: number[]): Promise<SimilarItemRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('queue_items as i')
    .innerJoin('predictions as p', 'p.seq', 'i.prediction_seq')
    .select(['i.id', 'i.prediction_id', 'p.input_json'])
    .where('i.id', 'in', ids)
    .where('i.model_id', '=', modelId)
    .where('i.status', '=', 'pending')
    .where('i.leases_count', '=', 0)
    .where('i.labels_count', '=', 0)
    .execute();
}

/** The embedding of the prediction that opened an item. */
export async function itemEmbedding(db: Db, modelId: number, itemId: number): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('queue_items as i')
    .innerJoin('predictions as p', 'p.seq', 'i.prediction_seq')
    .select('p.embedding')
    .where('i.id', '=', itemId)
    .where('i.model_id', '=', modelId)
    .executeTakeFirst();
  return row?.embedding;
}
