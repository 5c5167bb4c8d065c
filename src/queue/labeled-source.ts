import type { Db } from '../db/database.js';
import type { Model } from '../models/model.js';
import { thresholdsOf } from '../scoring/scorer.js';
import type { LabeledProductionItem, LabeledProductionSource, ProposedConcept } from '../training/labeled-production.js';
import { splitForId } from '../util/hash-split.js';
import { decodeVector } from '../util/vectors.js';
import { consensus, storedAnswer, type LabelAnswer } from './label-rules.js';
import { countConceptLabelsSince, countProposedConcepts, listLabeledItemRows, listLabelsOfItems, type LabeledItemRow, type LabelRow } from './labels.repository.js';
import { own } from '../util/own.js';

const PAGE = 2000;

/** A labeled item with the answer its labelers agreed on. */
interface Agreed {
  row: LabeledItemRow;
  labels: LabelRow[];
  answer: { concepts: string[]; newConcepts: string[] };
}

/**
 * The review queue as training and drift see it: labeled production items whose labelers
 * agree (a strict majority), never skipped or out-of-scope ones.
 */
export class QueueLabeledSource implements LabeledProductionSource {
  constructor(private readonly db: Db) {}

  /** Every agreed item; `id` is the prediction id, whose hash decides the 80/20 split. */
  async list(modelId: number): Promise<LabeledProductionItem[]> {
    const items: LabeledProductionItem[] = [];
    for await (const { row, labels, answer } of this.agreed(modelId)) {
      items.push({
        id: row.prediction_id,
        embedding: decodeVector(row.embedding),
        concepts: answer.concepts,
        newConcepts: answer.newConcepts,
        split: splitForId(row.prediction_id),
        labelIds: labels.map((l) => String(l.id)),
        labeledAt: row.labeled_at,
      });
    }
    return items;
  }

  /** Concept labels given after `isoTime` (out-of-scope marks and skips are not labels for training). */
  countSince(modelId: number, isoTime: string): Promise<number> {
    return countConceptLabelsSince(this.db, modelId, isoTime);
  }

  proposedConcepts(modelId: number): Promise<ProposedConcept[]> {
    return countProposedConcepts(this.db, modelId);
  }

  /**
   * How many agreed items the model predicted right when they arrived (multilabel: the exact
   * set over its thresholds); undefined when there are none. A new concept is always a miss.
   */
  async accuracy(model: Model): Promise<{ correct: number; total: number } | undefined> {
    const ids = model.concepts.map((c) => c.id);
    const thresholds = thresholdsOf(model);
    let correct = 0;
    let total = 0;
    for await (const { row, answer } of this.agreed(model.id)) {
      const scores = JSON.parse(row.scores_json) as Record<string, number>;
      const predicted = model.task === 'multilabel' ? ids.filter((c, i) => (own(scores, c) ?? 0) >= thresholds[i]!) : [row.predicted];
      const truth = answer.newConcepts.length > 0 ? null : answer.concepts;
      total += 1;
      if (truth && truth.length === predicted.length && truth.every((c) => predicted.includes(c))) correct += 1;
    }
    return total === 0 ? undefined : { correct, total };
  }

  private async *agreed(modelId: number): AsyncGenerator<Agreed> {
    for (let after = 0; ; ) {
      const rows = await listLabeledItemRows(this.db, modelId, after, PAGE);
      if (rows.length === 0) return;
      const byItem = new Map<number, LabelRow[]>();
      for (const l of await listLabelsOfItems(this.db, rows.map((r) => r.id))) byItem.set(l.item_id, [...(byItem.get(l.item_id) ?? []), l]);
      for (const row of rows) {
        const labels = byItem.get(row.id) ?? [];
        const answer = consensus(labels.map((l): LabelAnswer => storedAnswer(l)));
        if (answer) yield { row, labels, answer };
      }
      after = rows.at(-1)!.id;
    }
  }
}
