import type { Db } from '../db/database.js';
import type { LabeledSignals } from '../drift/performance/performance.types.js';
import { signalsOf } from '../drift/performance/signals.js';
import type { Model } from '../models/model.js';
import { thresholdsOf } from '../scoring/scorer.js';
import type { LabeledProductionItem, LabeledProductionSource, ProposedConcept } from '../training/labeled-production.js';
import { decodeVector } from '../util/vectors.js';
import { consensus, reviewed, storedAnswer, type LabelAnswer } from './label-rules.js';
import { countConceptLabelsSince, countProposedConcepts, labelsVersion, listLabeledItemRows, listLabelsOfItems, type LabeledItemRow, type LabelRow } from './labels.repository.js';
import { own } from '../util/own.js';
import type { QueueReads } from './queue.ports.js';

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
  private readonly signalsCache = new Map<number, { key: string; signals: LabeledSignals[] }>();

  constructor(
    private readonly db: Db,
    private readonly predictions: QueueReads['predictions'],
  ) {}

  /** Every agreed item; `id` is the prediction id, whose hash decides the 80/20 split. */
  async list(modelId: number): Promise<LabeledProductionItem[]> {
    const items: LabeledProductionItem[] = [];
    for await (const { row, labels, answer } of this.agreed(modelId)) {
      items.push({
        id: row.prediction_id,
        embedding: decodeVector(row.embedding),
        concepts: answer.concepts,
        newConcepts: answer.newConcepts,
        // The split stored when the item opened: its prediction id under the model's secret key.
        split: reviewed(labels) ? row.split : 'train',
        labelIds: labels.map((l) => String(l.id)),
        labeledAt: row.labeled_at,
        weight: row.weight,
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
    const right = rightness(model);
    let correct = 0;
    let total = 0;
    for await (const { row, labels, answer } of this.agreed(model.id)) {
      // Bulk-only answers follow the labeler's first answer by similarity; they would flatter the estimate.
      if (!reviewed(labels)) continue;
      total += 1;
      if (right(row, answer)) correct += 1;
    }
    return total === 0 ? undefined : { correct, total };
  }

  /**
   * The newest `limit` agreed items with the scorer's signals at the time and whether the
   * forwarded top-1 was right (an answer naming a new concept makes it wrong), for the accuracy estimate.
   */
  async performanceSignals(model: Model, limit: number): Promise<LabeledSignals[]> {
    // Drift evaluates far more often than labels arrive: re-read only when a label was stored.
    const key = `${await labelsVersion(this.db, model.id)}:${model.updatedAt}:${limit}`;
    const cached = this.signalsCache.get(model.id);
    if (cached?.key === key) return cached.signals;
    const right = rightness(model);
    const out: LabeledSignals[] = [];
    for await (const { row, labels, answer } of this.agreed(model.id)) {
      // As in `accuracy`: bulk-only answers follow a reviewed one by similarity and would flatter the estimate.
      if (!reviewed(labels)) continue;
      out.push({ ...signalsOf(row, model.settings.queue.uncertaintyThreshold), correct: right(row, answer) });
      if (out.length > 2 * limit) out.splice(0, out.length - limit);
    }
    const signals = out.slice(-limit);
    this.signalsCache.set(model.id, { key, signals });
    return signals;
  }

  /**
   * Labeled items opened by predictions after `afterSeq` (regions read this): prediction seq →
   * whether the forwarded prediction was right.
   */
  async outcomesAfter(model: Model, afterSeq: number): Promise<Map<number, boolean>> {
    const right = rightness(model);
    const out = new Map<number, boolean>();
    for await (const { row, answer } of this.agreed(model.id, afterSeq)) out.set(row.prediction_seq, right(row, answer));
    return out;
  }

  private async *agreed(modelId: number, afterSeq = 0): AsyncGenerator<Agreed> {
    for (let after = 0; ; ) {
      const rows = await listLabeledItemRows(this.db, this.predictions, modelId, after, PAGE, afterSeq);
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

/** Whether the prediction was right by the agreed answer (multilabel: the exact set over its thresholds). */
function rightness(model: Model): (row: LabeledItemRow, answer: Agreed['answer']) => boolean {
  const ids = model.concepts.map((c) => c.id);
  const thresholds = thresholdsOf(model);
  return (row, answer) => {
    if (answer.newConcepts.length > 0) return false;
    if (model.task !== 'multilabel') return answer.concepts.length === 1 && answer.concepts[0] === row.predicted;
    const scores = JSON.parse(row.scores_json) as Record<string, number>;
    const predicted = ids.filter((c, i) => (own(scores, c) ?? 0) >= thresholds[i]!);
    return answer.concepts.length === predicted.length && answer.concepts.every((c) => predicted.includes(c));
  };
}
