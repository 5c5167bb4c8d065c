import type { CompiledQuery } from 'kysely';
import type { Db } from '../db/database.js';
import type { StatementTrip, TripStatement } from '../db/statement-trip.js';
import type { Model } from '../models/model.js';
import type { FreshPrediction, PredictionInput, PredictionSink, ScoredPrediction } from '../predictions/prediction.js';
import { duplicateRadius } from '../reference/duplicate-radius.js';
import { isoNow, type Clock } from '../util/clock.js';
import { productionSplit } from '../util/hash-split.js';
import type { Neighbors } from '../vectors/vector-index.js';
import { enqueueReasons, itemPriority, type EnqueueReason } from './enqueue-policy.js';
import type { ItemStatus } from './item-status.js';
import type { NearDuplicateRegistry, ProductionIndex } from './near-duplicates.js';
import {
  findItems,
  findItemsStatements,
  lockQueueIfCurrent,
  lockQueueSeeingNewer,
  updateItemWeightStatement,
  type NewQueueItemRow,
  type QueueItemRow,
} from './queue.repository.js';
import { BatchDuplicates } from './batch-duplicates.js';
import { insertedIds, insertItems, insertItemsStatements } from './new-items.repository.js';

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
 * The near-duplicate search of a batch's queue candidates, done ahead of its transaction in the
 * index as it was then (its high-water mark and size say which state that was).
 */
interface SearchedAhead {
  index: ProductionIndex;
  highWater: number;
  size: number;
  found: Map<PredictionInput, Neighbors>;
}

/** A batch's predictions with their enqueue reasons, as the queue step takes them. */
interface Batch {
  model: Model;
  scored: ScoredPrediction[];
  reasons: EnqueueReason[][];
  radius: number;
  now: string;
  ahead: SearchedAhead | undefined;
}

/** What a batch does to the queue: per prediction whether it opened an item, the new items, and the weight updates. */
interface Decided {
  queued: boolean[];
  opened: NewItem[];
  rows: NewQueueItemRow[];
  updates: CompiledQuery[];
}

type InsertedRows = Pick<QueueItemRow, 'id' | 'prediction_seq'>[];

/**
 * Decides, inside the ingest transaction, which scored predictions become review
 * items and which only add weight to a near-duplicate already queued or labeled.
 * A batch costs a fixed number of statements, however many items it opens: the queue
 * lock (with, on PostgreSQL, the check that the index is current; the catch-up only when it is
 * not), one read of the near-duplicate candidates, one insert, and one update per existing item
 * that recurred. The lock is held from there to the commit, so the fewer round trips under it
 * the better: on PostgreSQL they go in one trip (two with candidates) with the detector's write.
 */
export class EnqueueService {
  constructor(
    private readonly duplicates: NearDuplicateRegistry,
    /** The model's typical in-distribution k-NN distance (median calibration distance), if known. */
    private readonly typicalDistance: (model: Model) => Promise<number | undefined>,
    private readonly clock: Clock,
  ) {}

  /**
   * The ingest step of the review queue: the near-duplicate search ahead of the transaction (most
   * of the queue's main-thread work), then, inside it, the step that returns per prediction
   * whether it opened an item.
   */
  readonly sink: PredictionSink = async (model, fresh) => {
    const ahead = this.searchAhead(model, fresh);
    return async (db, scored, trip) => {
      try {
        return await this.enqueue(db, trip, model, scored, ahead);
      } catch (err) {
        // The transaction rolls back, but the index may already hold this batch's items.
        this.duplicates.invalidate(model.id);
        throw err;
      }
    };
  };

  /**
   * The nearest items of each prediction the queue would take, in the model's index as it is now
   * (none when it is not loaded yet). The transaction uses them while the index is still in that
   * state, and searches again when it is not (items caught up from another instance meanwhile).
   */
  private searchAhead(model: Model, fresh: readonly FreshPrediction[]): SearchedAhead | undefined {
    const index = this.duplicates.loaded(model.id);
    if (!index) return undefined;
    const settings = model.settings.queue;
    const found = new Map<PredictionInput, Neighbors>();
    for (const p of fresh) if (enqueueReasons(p.score, settings).length > 0) found.set(p.input, index.nearest(p.input.embedding, DUPLICATE_CANDIDATES));
    return { index, highWater: index.highWater, size: index.index.size, found };
  }

  private async enqueue(db: Db, trip: StatementTrip, model: Model, scored: ScoredPrediction[], ahead: SearchedAhead | undefined): Promise<boolean[]> {
    const settings = model.settings.queue;
    const reasons = scored.map((s) => enqueueReasons(s.score, settings));
    // The queue lock only once this batch changes the queue: most predictions are not queued.
    if (reasons.every((r) => r.length === 0)) return scored.map(() => false);
    const radius = duplicateRadius(model.metric, settings.duplicateRadius, await this.typicalDistance(model)) + FLOAT32_SLACK;
    const batch: Batch = { model, scored, reasons, radius, now: isoNow(this.clock), ahead };
    const loaded = this.duplicates.loaded(model.id);
    const guard = loaded && lockQueueIfCurrent(db, model.id, loaded.highWater);
    const done = loaded && guard ? await this.enqueueInOneTrip(db, trip, batch, loaded, guard) : undefined;
    if (done) return done;
    // The lock and the question whether another instance committed items the index lacks, in one
    // round trip; only then is the index caught up (on SQLite, every time, as no lock is needed).
    const again = this.duplicates.loaded(model.id);
    const newer = await lockQueueSeeingNewer(db, model.id, again?.highWater ?? 0);
    const current = !newer && again !== undefined && this.duplicates.loaded(model.id) === again;
    const index = current ? again : await this.duplicates.caughtUp(db, model);
    const candidates = this.candidates(index, batch);
    // The index may hold items of a batch that rolled back: a candidate must still exist.
    const existing = await findItems(db, model.id, [...new Set(candidates.flat().map((c) => c.id))]);
    const decided = this.decide(db, batch, candidates, existing);
    const ids = await insertItems(db, decided.rows);
    for (const query of decided.updates) await db.executeQuery(query);
    return this.opened(index, model, decided, ids);
  }

  /**
   * On PostgreSQL, the queue step in one trip with whatever the transaction deferred (the
   * sequential detector's write): the queue lock with the check that the index lacks no item
   * (the guard), then the new items, decided before the lock on the index as it is; with
   * near-duplicate candidates, their rows come with the lock and the writes make a second trip.
   * Undefined when the guard finds the index behind: the caller catches it up, under the lock.
   */
  private async enqueueInOneTrip(db: Db, trip: StatementTrip, batch: Batch, index: ProductionIndex, guard: CompiledQuery): Promise<boolean[] | undefined> {
    const candidates = this.candidates(index, batch);
    const ids = [...new Set(candidates.flat().map((c) => c.id))];
    const lock: TripStatement = { query: guard, stopWhenEmpty: true };
    if (ids.length === 0) {
      const decided = this.decide(db, batch, candidates, []);
      const [current, ...inserted] = await trip.run([lock, ...insertItemsStatements(db, decided.rows).map((query) => ({ query }))]);
      if (!current?.length) return undefined;
      return this.opened(index, batch.model, decided, insertedIds(decided.rows, inserted.flat() as InsertedRows));
    }
    const [current, ...found] = await trip.run([lock, ...findItemsStatements(db, batch.model.id, ids).map((query) => ({ query }))]);
    if (!current?.length) return undefined;
    const decided = this.decide(db, batch, candidates, found.flat() as QueueItemRow[]);
    const inserts = insertItemsStatements(db, decided.rows);
    const answers = await trip.run([...inserts, ...decided.updates].map((query) => ({ query })));
    return this.opened(index, batch.model, decided, insertedIds(decided.rows, answers.slice(0, inserts.length).flat() as InsertedRows));
  }

  private candidates(index: ProductionIndex, b: Batch): { id: number; distance: number }[][] {
    const a = b.ahead;
    const found = a && a.index === index && a.highWater === index.highWater && a.size === index.index.size ? a.found : undefined;
    return b.scored.map((s, i) => {
      if (b.reasons[i]!.length === 0) return [];
      return withinRadius(found?.get(s.input) ?? index.nearest(s.input.embedding, DUPLICATE_CANDIDATES), b.radius);
    });
  }

  /** Which predictions open items and which add weight to an item already queued (of `existing`) or to one of this batch. */
  private decide(db: Db, b: Batch, candidates: { id: number; distance: number }[][], existingRows: QueueItemRow[]): Decided {
    const settings = b.model.settings.queue;
    const existing = new Map(existingRows.map((r) => [r.id, r]));
    const queued = b.scored.map(() => false);
    const batch = new BatchDuplicates<NewItem>(b.model.metric);
    const recurred = new Map<number, number>();
    b.scored.forEach((s, i) => {
      if (b.reasons[i]!.length === 0) return;
      const old = candidates[i]!.find((c) => existing.has(c.id));
      const mate = batch.nearest(s.input.embedding, b.radius);
      if (mate && (!old || mate.distance < old.distance)) mate.value.weight++;
      else if (old) recurred.set(old.id, (recurred.get(old.id) ?? 0) + 1);
      else {
        batch.add(s.input.embedding, { row: this.newRow(b.model, s, b.reasons[i]!, b.now), embedding: s.input.embedding, weight: 1 });
        queued[i] = true;
      }
    });
    const opened = batch.opened.map((o) => o.value);
    const rows = opened.map((o) => ({ ...o.row, weight: o.weight, priority: itemPriority({ base: o.row.base_priority, weight: o.weight, driftBoost: 0 }, settings) }));
    const updates = [...recurred].map(([id, more]) => {
      const item = existing.get(id)!;
      const weight = item.weight + more;
      return updateItemWeightStatement(db, id, { weight, priority: itemPriority({ base: item.base_priority, weight, driftBoost: item.drift_boost }, settings), last_seen_at: b.now });
    });
    return { queued, opened, rows, updates };
  }

  /** Adds the inserted items to the index (before the commit: the next batch checks that they were committed). */
  private opened(index: ProductionIndex, model: Model, decided: Decided, ids: number[]): boolean[] {
    decided.opened.forEach((o, i) => index.add(ids[i]!, o.embedding));
    this.duplicates.touched(model.id);
    return decided.queued;
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
      split: productionSplit(model, s.input.id),
      labels_needed: settings.labelsPerItem,
      created_at: now,
      last_seen_at: now,
      labeled_at: null,
    };
  }
}

/** The nearest items found within `radius`, nearest first. */
function withinRadius(found: Neighbors, radius: number): { id: number; distance: number }[] {
  return found.labels.map((id, i) => ({ id, distance: found.distances[i]! })).filter((c) => c.distance <= radius);
}
