import type { Db } from '../db/database.js';
import type { Model } from '../models/model.js';
import type { PredictionSink, ScoredPrediction } from '../predictions/predictions.service.js';
import { splitForId } from '../util/hash-split.js';
import { decodeVector } from '../util/vectors.js';
import { distanceOf } from '../vectors/distance.js';
import { enqueueReasons, itemPriority, type QueueSettings } from './enqueue-policy.js';
import type { ItemStatus } from './item-status.js';
import type { NearDuplicateRegistry, ProductionIndex } from './near-duplicates.js';
import { findItem, findItemEmbeddings, insertItem, updateItemWeight } from './queue.repository.js';

/** Candidates checked against the database per near-duplicate lookup. */
const DUPLICATE_CANDIDATES = 4;

/**
 * Decides, inside the ingest transaction, which scored predictions become review
 * items and which only add weight to a near-duplicate already queued or labeled.
 */
export class EnqueueService {
  constructor(private readonly duplicates: NearDuplicateRegistry) {}

  /** Plugs into `PredictionsService.setSink`; returns per prediction whether it opened an item. */
  readonly sink: PredictionSink = async (db, model, scored) => {
    try {
      return await this.enqueue(db, model, scored);
    } catch (err) {
      // The transaction rolls back, but the index may already hold this batch's items.
      this.duplicates.invalidate(model.id);
      throw err;
    }
  };

  private async enqueue(db: Db, model: Model, scored: ScoredPrediction[]): Promise<boolean[]> {
    const settings = model.settings.queue;
    const now = new Date().toISOString();
    let index: ProductionIndex | undefined;
    const queued: boolean[] = [];
    for (const s of scored) {
      const reasons = enqueueReasons(s.score, settings);
      if (reasons.length === 0) {
        queued.push(false);
        continue;
      }
      index ??= await this.duplicates.get(db, model);
      const duplicateOf = await this.findDuplicate(db, model, index, s.input.embedding);
      if (duplicateOf !== undefined) {
        await this.addRecurrence(db, model.id, duplicateOf, settings, now);
        queued.push(false);
        continue;
      }
      const id = await insertItem(db, {
        model_id: model.id,
        prediction_seq: s.seq,
        prediction_id: s.input.id,
        status: 'pending' satisfies ItemStatus,
        base_priority: s.score.priority,
        priority: itemPriority({ base: s.score.priority, weight: 1, driftBoost: 0 }, settings),
        reasons_json: JSON.stringify(reasons),
        split: splitForId(s.input.id),
        labels_needed: settings.labelsPerItem,
        created_at: now,
        last_seen_at: now,
        labeled_at: null,
      });
      index.add(id, s.input.embedding);
      queued.push(true);
    }
    if (index) this.duplicates.touched(model.id);
    return queued;
  }

  /** The nearest item within the duplicate radius, checked against the stored embedding (the database is the truth). */
  private async findDuplicate(db: Db, model: Model, index: ProductionIndex, embedding: number[]): Promise<number | undefined> {
    const radius = model.settings.queue.duplicateRadius;
    const found = index.nearest(embedding, DUPLICATE_CANDIDATES);
    // float32 storage and the approximate graph blur distances slightly; the exact check below decides.
    const candidates = found.labels.filter((_, i) => found.distances[i]! <= radius * 1.01 + 1e-6);
    if (candidates.length === 0) return undefined;
    let best: { id: number; distance: number } | undefined;
    for (const row of await findItemEmbeddings(db, model.id, candidates)) {
      const distance = distanceOf(model.metric, embedding, decodeVector(row.embedding));
      if (distance <= radius + 1e-6 && (!best || distance < best.distance)) best = { id: row.id, distance };
    }
    return best?.id;
  }

  private async addRecurrence(db: Db, modelId: number, itemId: number, settings: QueueSettings, now: string): Promise<void> {
    const item = await findItem(db, modelId, itemId);
    if (!item) return;
    const weight = item.weight + 1;
    const priority = itemPriority({ base: item.base_priority, weight, driftBoost: item.drift_boost }, settings);
    await updateItemWeight(db, itemId, { weight, priority, last_seen_at: now });
  }
}
