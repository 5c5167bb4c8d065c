import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { QueueLabelTable } from '../db/schema.js';
import type { QueueReads } from './queue.ports.js';
import type { Split } from '../util/hash-split.js';

export type NewLabelRow = Insertable<QueueLabelTable>;
export type LabelRow = Selectable<QueueLabelTable>;

export function findLabel(db: Db, itemId: number, labeler: string): Promise<LabelRow | undefined> {
  return db.selectFrom('queue_labels').selectAll().where('item_id', '=', itemId).where('labeler', '=', labeler).executeTakeFirst();
}

export async function insertLabel(db: Db, row: NewLabelRow): Promise<void> {
  await db.insertInto('queue_labels').values(row).execute();
}

/** Labels per labeler, in total and since `since`. */
export async function countLabelsByLabeler(db: Db, modelId: number, since: string): Promise<{ labeler: string; labeled: number; since: number }[]> {
  const rows = await db
    .selectFrom('queue_labels')
    .select(['labeler', (eb) => eb.fn.countAll<number>().as('labeled'), (eb) => eb.fn.sum<number>(eb.case().when('created_at', '>=', since).then(1).else(0).end()).as('since')])
    .where('model_id', '=', modelId)
    .groupBy('labeler')
    .orderBy('labeler')
    .execute();
  return rows.map((r) => ({ labeler: r.labeler, labeled: Number(r.labeled), since: Number(r.since ?? 0) }));
}

/**
 * Every label of items that more than one labeler answered, grouped by item in submission order.
 * Bulk labels are left out: confirming a thumbnail grid is not an independent judgement of the item.
 */
export function listLabelsOfSharedItems(db: Db, modelId: number): Promise<LabelRow[]> {
  // From the labels side: a model may have millions of items but far fewer labels.
  return db
    .selectFrom('queue_labels')
    .selectAll()
    .where('model_id', '=', modelId)
    .where('bulk', '=', 0)
    .where('item_id', 'in', (eb) =>
      eb
        .selectFrom('queue_labels')
        .select('item_id')
        .where('model_id', '=', modelId)
        .where('bulk', '=', 0)
        .groupBy('item_id')
        .having((h) => h.fn.countAll(), '>=', 2),
    )
    .orderBy('item_id')
    .orderBy('id')
    .execute();
}

/** A finished item with everything a training run needs. */
export interface LabeledItemRow {
  id: number;
  prediction_id: string;
  prediction_seq: number;
  split: Split;
  status: string;
  labeled_at: string;
  embedding: Buffer;
  /** What the model predicted at the time, for production accuracy. */
  predicted: string;
  /** 1 + the near-duplicates merged into the item. */
  weight: number;
  scores_json: string;
  /** The scorer's signals at the time, for the accuracy estimate. */
  top_score: number;
  is_ood: number;
  disagreement: number;
  uncertainty: number;
  priority: number;
}

const LABELED_SIGNALS = ['embedding', 'predicted', 'scores_json', 'top_score', 'is_ood', 'disagreement', 'uncertainty', 'priority'] as const;

/** Labeled items (not out of scope) above `afterId`, oldest first, a page at a time; only those opened after `afterSeq` when given. */
export async function listLabeledItemRows(db: Db, predictions: QueueReads['predictions'], modelId: number, afterId: number, limit: number, afterSeq = 0): Promise<LabeledItemRow[]> {
  const items = await db
    .selectFrom('queue_items')
    .select(['id', 'prediction_id', 'prediction_seq', 'split', 'status', 'labeled_at', 'weight'])
    .where('model_id', '=', modelId)
    .where('status', '=', 'labeled')
    .where('id', '>', afterId)
    .$if(afterSeq > 0, (q) => q.where('prediction_seq', '>', afterSeq))
    .orderBy('id')
    .limit(limit)
    .execute();
  const signals = await predictions.predictionsBySeq(db, modelId, items.map((i) => i.prediction_seq), LABELED_SIGNALS);
  return items.flatMap((i) => {
    const p = signals.get(i.prediction_seq);
    if (!p) return [];
    const { seq: _seq, ...signal } = p;
    return [{ ...i, ...signal, labeled_at: i.labeled_at ?? '' }];
  });
}

/** The labels of the given items, in submission order. */
export function listLabelsOfItems(db: Db, itemIds: number[]): Promise<LabelRow[]> {
  if (itemIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('queue_labels').selectAll().where('item_id', 'in', itemIds).orderBy('item_id').orderBy('id').execute();
}

/** Concept labels (not out of scope) the model received after `since`. */
export async function countConceptLabelsSince(db: Db, modelId: number, since: string): Promise<number> {
  const row = await db
    .selectFrom('queue_labels')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('model_id', '=', modelId)
    .where('created_at', '>', since)
    .where('out_of_scope', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Concepts the model's labelers proposed outside the taxonomy, with how many labels and distinct labelers proposed each, most labels first. */
export async function countProposedConcepts(db: Db, modelId: number): Promise<{ concept: string; labels: number; labelers: number }[]> {
  const rows = await db.selectFrom('queue_labels').select(['new_concepts_json', 'labeler']).where('model_id', '=', modelId).where('new_concepts_json', '!=', '[]').execute();
  const counts = new Map<string, { labels: number; labelers: Set<string> }>();
  for (const r of rows) {
    for (const c of JSON.parse(r.new_concepts_json) as string[]) {
      const entry = counts.get(c) ?? { labels: 0, labelers: new Set<string>() };
      entry.labels += 1;
      entry.labelers.add(r.labeler);
      counts.set(c, entry);
    }
  }
  return [...counts]
    .map(([concept, e]) => ({ concept, labels: e.labels, labelers: e.labelers.size }))
    .sort((a, b) => b.labels - a.labels || a.concept.localeCompare(b.concept));
}

/** Deletes the labeler's bulk label on each listed item; returns the items that had one. */
export async function deleteBulkLabels(db: Db, modelId: number, labeler: string, itemIds: number[]): Promise<{ itemId: number; outOfScope: boolean }[]> {
  if (itemIds.length === 0) return [];
  const rows = await db
    .deleteFrom('queue_labels')
    .where('model_id', '=', modelId)
    .where('labeler', '=', labeler)
    .where('bulk', '=', 1)
    .where('item_id', 'in', itemIds)
    .returning(['item_id', 'out_of_scope'])
    .execute();
  // What each deleted label counted on its item: an out-of-scope mark counts twice (countLabel).
  return rows.map((r) => ({ itemId: r.item_id, outOfScope: r.out_of_scope === 1 }));
}

/** How many labels the model has and the newest label id: changes whenever a label is stored. */
export async function labelsVersion(db: Db, modelId: number): Promise<string> {
  const row = await db
    .selectFrom('queue_labels')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('id').as('maxId')])
    .where('model_id', '=', modelId)
    .executeTakeFirstOrThrow();
  return `${Number(row.count)}:${row.maxId ?? 0}`;
}
