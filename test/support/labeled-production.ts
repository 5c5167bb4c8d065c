import type { Db } from '../../src/db/database.js';
import type { LabeledProductionItem, LabeledProductionSource, ProposedConcept } from '../../src/training/labeled-production.js';
import { splitForId } from '../../src/util/hash-split.js';
import { decodeVector } from '../../src/util/vectors.js';

/** A label as a test gives it: one labeler's answer for one item. */
export interface FixtureLabel {
  id: string;
  embedding: ArrayLike<number>;
  concepts: string[];
  newConcepts?: string[];
  split?: 'train' | 'eval';
  labeledAt?: string;
}

/**
 * Stands in for the review queue's labels until that branch lands: an in-memory
 * `LabeledProductionSource`, one label per item, split 80/20 by item id as DESIGN says.
 */
export class FixtureLabels implements LabeledProductionSource {
  private readonly byModel = new Map<number, Map<string, LabeledProductionItem>>();
  private labelSeq = 0;

  label(modelId: number, labels: FixtureLabel[]): void {
    let items = this.byModel.get(modelId);
    if (!items) this.byModel.set(modelId, (items = new Map()));
    for (const l of labels) {
      items.set(l.id, {
        id: l.id,
        embedding: Float32Array.from(l.embedding),
        concepts: l.concepts,
        newConcepts: l.newConcepts ?? [],
        split: l.split ?? splitForId(l.id),
        labelIds: [`label-${++this.labelSeq}`],
        labeledAt: l.labeledAt ?? new Date().toISOString(),
      });
    }
  }

  /** Labels stored predictions, reading their embeddings from the database, as the queue does. */
  async labelPredictions(db: Db, modelId: number, labels: { predictionId: string; concepts: string[]; newConcepts?: string[] }[]): Promise<void> {
    const ids = labels.map((l) => l.predictionId);
    const rows = await db.selectFrom('predictions').select(['id', 'embedding']).where('model_id', '=', modelId).where('id', 'in', ids).execute();
    const embeddings = new Map(rows.map((r) => [r.id, decodeVector(r.embedding)]));
    this.label(
      modelId,
      labels.map((l) => ({ id: l.predictionId, embedding: embeddings.get(l.predictionId)!, concepts: l.concepts, newConcepts: l.newConcepts })),
    );
  }

  async list(modelId: number): Promise<LabeledProductionItem[]> {
    return [...(this.byModel.get(modelId)?.values() ?? [])];
  }

  async countSince(modelId: number, isoTime: string): Promise<number> {
    return (await this.list(modelId)).filter((i) => i.labeledAt > isoTime).length;
  }

  /** Fixture labels name no labeler: each counts as its own. */
  async proposedConcepts(modelId: number): Promise<ProposedConcept[]> {
    const counts = new Map<string, number>();
    for (const item of await this.list(modelId)) for (const c of item.newConcepts) counts.set(c, (counts.get(c) ?? 0) + 1);
    return [...counts].map(([concept, labels]) => ({ concept, labels, labelers: labels }));
  }
}
