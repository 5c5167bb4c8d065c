import type { Db } from '../db/database.js';
import { notIndexed } from '../db/dialect.js';
import type { QueueReads } from './queue.ports.js';

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
      await db.updateTable('queue_items').set({ region }).where('prediction_seq', 'in', seqs.slice(i, i + 500)).where(notIndexed('model_id'), '=', modelId).execute();
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
export async function listFreePending(db: Db, predictions: QueueReads['predictions'], modelId: number, ids: number[]): Promise<SimilarItemRow[]> {
  if (ids.length === 0) return [];
  const items = await db
    .selectFrom('queue_items')
    .select(['id', 'prediction_id', 'prediction_seq'])
    .where('id', 'in', ids)
    .where('model_id', '=', modelId)
    .where('status', '=', 'pending')
    .where('leases_count', '=', 0)
    .where('labels_count', '=', 0)
    .execute();
  const inputs = await predictions.predictionsBySeq(db, modelId, items.map((i) => i.prediction_seq), ['input_json']);
  return items.map((i) => ({ id: i.id, prediction_id: i.prediction_id, input_json: inputs.get(i.prediction_seq)?.input_json ?? null }));
}

/** The embedding of the prediction that opened an item. */
export async function itemEmbedding(db: Db, predictions: QueueReads['predictions'], modelId: number, itemId: number): Promise<Buffer | undefined> {
  const item = await db.selectFrom('queue_items').select('prediction_seq').where('id', '=', itemId).where('model_id', '=', modelId).executeTakeFirst();
  if (!item) return undefined;
  return (await predictions.predictionsBySeq(db, modelId, [item.prediction_seq], ['embedding'])).get(item.prediction_seq)?.embedding;
}
