import type { Db } from '../db/database.js';
import type { Model } from '../models/model.js';
import type { PredictionSink, ScoredPrediction } from '../predictions/prediction.js';
import { duplicateRadius } from '../reference/duplicate-radius.js';
import { isoNow, type Clock } from '../util/clock.js';
import { splitForId } from '../util/hash-split.js';
import { enqueueReasons, itemPriority, type EnqueueReason } from './enqueue-policy.js';
import type { ItemStatus } from './item-status.js';
import type { NearDuplicateRegistry, ProductionIndex } from './near-duplicates.js';
import { findItems, insertItems, lockQueueSeeingNewer, updateItemWeight, type NewQueueItemRow } from './queue.repository.js';
import { BatchDuplicates } from './batch-duplicates.js';

/** Nearest items looked at per near-duplicate lookup. */
const DUPLICATE_CANDIDATES = 4;

/** float32 storage blurs distances slightly. */
const FLOAT32_SLACK = 1e-6;

/** A new item of this batch: its row, and how many of the batch's predictions it stands for. */
interface NewItem {
  row: NewQueueItemRow;
  embedding: number[];
  weight: number;
}

/**
 * Decides, inside the ingest transaction, which scored predictions become review
 * items and which only add weight to a near-duplicate already queued or labeled.
 * A batch costs a fixed number of statements, however many items it opens: the queue
 * lock (with, on PostgreSQL, the check that the index is current; the catch-up only when it is
 * not), one read of the near-duplicate candidates, one insert, and one update per existing item
 * that recurred. The lock is held from there to the commit,
 * and claims wait for it, so the fewer round trips under it the better.
 */
export class EnqueueService {
  constructor(
    private readonly duplicates: NearDuplicateRegistry,
    /** The model's typical in-distribution k-NN distance (median calibration distance), if known. */
    private readonly typicalDistance: (model: Model) => Promise<number | undefined>,
    private readonly clock: Clock,
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
    const settings = model.settings.queue;
    const reasons = scored.map((s) => enqueueReasons(s.score, settings));
    const queued = scored.map(() => false);
    // The queue lock only once this batch changes the queue: most predictions are not queued.
    if (reasons.every((r) => r.length === 0)) return queued;
    const radius = duplicateRadius(model.metric, settings.duplicateRadius, await this.typicalDistance(model)) + FLOAT32_SLACK;
    // The lock and the question whether another instance committed items the index lacks, in one
    // round trip; only then is the index caught up (on SQLite, every time, as no lock is needed).
    const loaded = this.duplicates.loaded(model.id);
    const newer = await lockQueueSeeingNewer(db, model.id, loaded?.highWater ?? 0);
    const current = !newer && loaded !== undefined && this.duplicates.loaded(model.id) === loaded;
    const index = current ? loaded : await this.duplicates.caughtUp(db, model);
    const candidates = scored.map((s, i) => (reasons[i]!.length === 0 ? [] : nearItems(index, s.input.embedding, radius)));
    // The index may hold items of a batch that rolled back: a candidate must still exist.
    const existing = new Map((await findItems(db, model.id, [...new Set(candidates.flat().map((c) => c.id))])).map((r) => [r.id, r]));
    const now = isoNow(this.clock);
    const batch = new BatchDuplicates<NewItem>(model.metric);
    const recurred = new Map<number, number>();
    scored.forEach((s, i) => {
      if (reasons[i]!.length === 0) return;
      const old = candidates[i]!.find((c) => existing.has(c.id));
      const mate = batch.nearest(s.input.embedding, radius);
      if (mate && (!old || mate.distance < old.distance)) mate.value.weight++;
      else if (old) recurred.set(old.id, (recurred.get(old.id) ?? 0) + 1);
      else {
        batch.add(s.input.embedding, { row: this.newRow(model, s, reasons[i]!, now), embedding: s.input.embedding, weight: 1 });
        queued[i] = true;
      }
    });
    const opened = batch.opened.map((o) => o.value);
    const ids = await insertItems(db, opened.map((o) => ({ ...o.row, weight: o.weight, priority: itemPriority({ base: o.row.base_priority, weight: o.weight, driftBoost: 0 }, settings) })));
    opened.forEach((o, i) => index.add(ids[i]!, o.embedding));
    for (const [id, more] of recurred) {
      const item = existing.get(id)!;
      const weight = item.weight + more;
      await updateItemWeight(db, id, { weight, priority: itemPriority({ base: item.base_priority, weight, driftBoost: item.drift_boost }, settings), last_seen_at: now });
    }
    this.duplicates.touched(model.id);
    return queued;
  }

  private newRow(model: Model, s: ScoredPrediction, reasons: EnqueueReason[], now: string): NewQueueItemRow {
    const settings = model.settings.queue;
    return {
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
    };
  }
}

/** The index's nearest items within `radius`, nearest first. */
function nearItems(index: ProductionIndex, embedding: number[], radius: number): { id: number; distance: number }[] {
  const found = index.nearest(embedding, DUPLICATE_CANDIDATES);
  return found.labels.map((id, i) => ({ id, distance: found.distances[i]! })).filter((c) => c.distance <= radius);
}
