import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Model } from '../models/model.js';
import type { PredictionSink, ScoredPrediction } from '../predictions/prediction.js';
import { duplicateRadius } from '../reference/duplicate-radius.js';
import { isoNow, type Clock } from '../util/clock.js';
import { splitForId } from '../util/hash-split.js';
import { enqueueReasons, itemPriority, type QueueSettings } from './enqueue-policy.js';
import type { ItemStatus } from './item-status.js';
import type { NearDuplicateRegistry, ProductionIndex } from './near-duplicates.js';
import { countItems, findItem, insertItem, lockQueue, updateItemWeight } from './queue.repository.js';

/** Nearest items looked at per near-duplicate lookup. */
const DUPLICATE_CANDIDATES = 4;

/**
 * Decides, inside the ingest transaction, which scored predictions become review
 * items and which only add weight to a near-duplicate already queued or labeled.
 */
export class EnqueueService {
  /** Per model, the items the last batch opened, until a later batch sees them committed. */
  private readonly unconfirmed = new Map<number, number[]>();

  constructor(
    private readonly duplicates: NearDuplicateRegistry,
    /** The model's typical in-distribution k-NN distance (median calibration distance), if known. */
    private readonly typicalDistance: (model: Model) => Promise<number | undefined>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The ingest step of the review queue; returns per prediction whether it opened an item. */
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
    await this.confirmPrevious(db, model);
    const settings = model.settings.queue;
    const now = isoNow(this.clock);
    let index: ProductionIndex | undefined;
    const queued: boolean[] = [];
    const opened: number[] = [];
    for (const s of scored) {
      const reasons = enqueueReasons(s.score, settings);
      if (reasons.length === 0) {
        queued.push(false);
        continue;
      }
      // The queue lock only once this batch changes the queue: most predictions are not queued.
      if (!index) await lockQueue(db, model.id);
      index ??= await this.duplicates.caughtUp(db, model);
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
      opened.push(id);
      queued.push(true);
    }
    if (index) this.duplicates.touched(model.id);
    if (opened.length > 0) this.unconfirmed.set(model.id, opened);
    return queued;
  }

  /**
   * The index took the previous batch's items before its commit. If that commit failed
   * they are gone, and the index is rebuilt from the database before it is used again.
   */
  private async confirmPrevious(db: Db, model: Model): Promise<void> {
    const previous = this.unconfirmed.get(model.id);
    if (!previous) return;
    this.unconfirmed.delete(model.id);
    if ((await countItems(db, model.id, previous)) === previous.length) return;
    this.log.warn({ model: model.name }, 'an ingest transaction rolled back after queueing; rebuilding the near-duplicate index');
    this.duplicates.invalidate(model.id);
  }

  /** The nearest item within the duplicate radius, or undefined. */
  private async findDuplicate(db: Db, model: Model, index: ProductionIndex, embedding: number[]): Promise<number | undefined> {
    const radius = duplicateRadius(model.metric, model.settings.queue.duplicateRadius, await this.typicalDistance(model));
    const found = index.nearest(embedding, DUPLICATE_CANDIDATES);
    for (const [i, id] of found.labels.entries()) {
      // float32 storage blurs distances slightly; nearest first, and the item must still exist.
      if (found.distances[i]! > radius + 1e-6) break;
      if (await findItem(db, model.id, id)) return id;
    }
    return undefined;
  }

  private async addRecurrence(db: Db, modelId: number, itemId: number, settings: QueueSettings, now: string): Promise<void> {
    const item = await findItem(db, modelId, itemId);
    if (!item) return;
    const weight = item.weight + 1;
    const priority = itemPriority({ base: item.base_priority, weight, driftBoost: item.drift_boost }, settings);
    await updateItemWeight(db, itemId, { weight, priority, last_seen_at: now });
  }
}
