import type { DatabaseHandle, Db } from '../db/database.js';
import { StatementTrip } from '../db/statement-trip.js';
import type { EventBus } from '../events/event-bus.js';
import { BatchValidationError, ConflictError, type RecordProblem } from '../errors.js';
import type { Model } from '../models/model.js';
import { duplicateIdProblems, embeddingProblems, encoderProblems, inputUrlProblems, scoreProblems } from '../models/record-checks.js';
import { InputOrigins } from '../http/input-origins.js';
import type { ReferenceRegistry } from '../reference/reference.registry.js';
import { scorerFor, type PredictionScore } from '../scoring/scorer.js';
import { isoNow, type Clock } from '../util/clock.js';
import { KeyedLock } from '../util/keyed-lock.js';
import type { TurnLane } from '../util/turn-lane.js';
import { encodeVectors } from '../util/vectors.js';
import type { FreshPrediction, IngestResult, PredictionInput, PredictionResult, PredictionSink, ScoredPrediction, SinkStep } from './prediction.js';
import { findStoredResults, insertNewPredictions, type NewPredictionRow, type StoredResultRow } from './predictions.repository.js';

/** Observes ingestion for metrics. */
export interface IngestObserver {
  scored(model: string, count: number, seconds: number): void;
}

/** Validates, scores and stores production predictions. */
export class PredictionsService {
  private readonly db: Db;
  /** Batches being stored, one at a time per model id. */
  private readonly storing = new KeyedLock<number>();
  /** On PostgreSQL, batches finishing their transaction (past the insert), one at a time per model id. */
  private readonly finishing = new KeyedLock<number>();

  constructor(
    private readonly database: DatabaseHandle,
    private readonly references: ReferenceRegistry,
    /** Decides what to queue for review (the review queue): ahead of the ingest transaction, then inside it. */
    private readonly sink: PredictionSink,
    /** Where a batch's main-thread steps wait their turn, so claims and labels get in between them. */
    private readonly lane: TurnLane,
    private readonly observer: IngestObserver,
    private readonly events: EventBus,
    private readonly clock: Clock,
    /** Where pages may load inputs from: a prediction whose input is elsewhere is refused. */
    private readonly inputOrigins: InputOrigins = new InputOrigins(),
  ) {
    this.db = database.db;
  }

  /**
   * Scoring starts as soon as a batch arrives, so the search threads work on the next batches
   * while the main thread stores this one; storing runs one batch at a time per model, in
   * arrival order. Each main-thread step of a batch (its scores and, on SQLite, the sink's work
   * ahead of the transaction; the transaction; the answer) waits for its turn in the lane, so short
   * requests such as queue claims get in between two steps instead of waiting behind every step
   * in line.
   */
  async ingest(model: Model, predictions: PredictionInput[]): Promise<IngestResult> {
    this.validate(model, predictions);
    const set = await this.references.get(model);
    if (set.train.size === 0) {
      throw new ConflictError(`Model '${model.name}' has no train-split examples yet; add examples before predictions`);
    }
    // The duplicate lookup waits on the database while scoring waits on the search thread: both
    // at once. A retried batch is scored again for nothing, which is rare and cheap beside a round trip.
    // An id stored by an earlier batch still in line is not seen here: its insert conflicts and it answers as a duplicate.
    const started = performance.now();
    const lookup = Promise.all([findStoredResults(this.db, model.id, predictions.map((p) => p.id)), set.measureMany(predictions.map((p) => p.embedding))]);
    return this.storing.inTurn(model.id, lookup, async ([known, measured], release) => {
      const score = scorerFor(model);
      const fresh = predictions.flatMap((p, i) => (known.has(p.id) ? [] : [{ input: p, score: score(measured[i]!, p.scores) }]));
      this.observer.scored(model.name, fresh.length, (performance.now() - started) / 1000);
      // On SQLite the batch ahead has committed, so the sink's work ahead of the transaction takes
      // a turn of its own. On PostgreSQL the batch ahead may still be queueing (only its insert is
      // in order): the sink is called in the transaction, once that batch has finished.
      const step = this.database.sqlite ? await this.sink(model, fresh) : undefined;
      if (step) await this.lane.turn();
      return this.store(model, predictions, known, fresh, step, release);
    }, () => this.lane.turn());
  }

  /**
   * Stores a batch in one transaction. On PostgreSQL the next batch's turn starts once this one's
   * predictions are inserted (their sequence numbers then come in arrival order), so its insert
   * overlaps the rest of this transaction; the rest (the detector, the queue, the commit) then
   * waits until this batch has finished, so a claim that waits for the queue lock meanwhile is not
   * queued behind the next batch too. On SQLite, whose one connection runs one transaction at a
   * time, the next batch could only queue for it ahead of a claim: it keeps its turn.
   */
  private async store(
    model: Model,
    predictions: PredictionInput[],
    known: Map<string, StoredResultRow>,
    fresh: FreshPrediction[],
    step: SinkStep | undefined,
    release: () => void,
  ): Promise<IngestResult> {
    const now = isoNow(this.clock);
    let finish = (): void => undefined;
    const outcome = await this.db
      .transaction()
      .execute(async (trx) => {
        const embeddings = encodeVectors(fresh.map((x) => x.input.embedding));
        const seqs = await insertNewPredictions(this.database, trx, fresh.map((x, i) => toRow(model, x.input, x.score, embeddings[i]!, now)));
        if (!this.database.sqlite) finish = await this.finishInTurn(model.id, release);
        const act = step ?? (await this.sink(model, fresh));
        const scored = fresh.flatMap((x) => (seqs.has(x.input.id) ? [{ seq: seqs.get(x.input.id)!, input: x.input, score: x.score }] : []));
        // Another request stored these ids while we were scoring: they answer as duplicates.
        const lost = fresh.filter((x) => !seqs.has(x.input.id)).map((x) => x.input.id);
        const raced = lost.length > 0 ? await findStoredResults(trx, model.id, lost) : new Map<string, StoredResultRow>();
        const queued = await act(trx, scored, new StatementTrip(trx));
        return { scored, queued, raced };
      })
      .catch(async (err: unknown) => {
        // Whatever acted on the batch inside the transaction (the queue's near-duplicate index) forgets it.
        await this.events.publish({ type: 'PredictionsRolledBack', model }).catch(() => undefined);
        throw err;
      })
      .finally(() => finish());
    // Committed: the next batch may store while this one answers, in a turn of its own.
    release();
    await this.lane.turn();

    if (outcome.scored.length > 0) await this.events.publish({ type: 'PredictionsCommitted', model, committed: outcome.scored });

    const freshResults = new Map(outcome.scored.map((s, i) => [s.input.id, toResult(s, outcome.queued[i] ?? false)]));
    const stored = new Map([...known, ...outcome.raced]);
    const results = predictions.map((p) => freshResults.get(p.id) ?? storedToResult(stored.get(p.id)!));
    return { accepted: outcome.scored.length, duplicates: predictions.length - outcome.scored.length, results };
  }

  /**
   * Lets the model's next batch start its insert, then waits until the batch ahead of this one
   * has committed or rolled back; returns what lets the batch behind this one go on in turn.
   */
  private async finishInTurn(modelId: number, release: () => void): Promise<() => void> {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let go!: () => void;
    const turn = new Promise<void>((resolve) => (go = resolve));
    void this.finishing.run(modelId, () => {
      go();
      return finished;
    });
    release();
    await turn;
    return finish;
  }

  private validate(model: Model, predictions: PredictionInput[]): void {
    const problems: RecordProblem[] = duplicateIdProblems(predictions);
    predictions.forEach((p, index) => {
      problems.push(...embeddingProblems(model, p.embedding, index), ...encoderProblems(model, p.encoder, index), ...scoreProblems(model, p.scores, index), ...inputUrlProblems(this.inputOrigins, p.input, index));
    });
    if (problems.length > 0) throw new BatchValidationError(problems.sort((a, b) => a.index - b.index), 'predictions');
  }
}

function toRow(model: Model, p: PredictionInput, s: PredictionScore, embedding: Buffer, now: string): NewPredictionRow {
  return {
    model_id: model.id,
    id: p.id,
    embedding,
    scores_json: JSON.stringify(p.scores),
    predicted: s.predicted,
    top_score: s.topScore,
    encoder: p.encoder ?? model.encoder,
    model_version: p.modelVersion ?? null,
    timestamp: p.timestamp ?? now,
    input_json: p.input ? JSON.stringify(p.input) : null,
    metadata_json: p.metadata ? JSON.stringify(p.metadata) : null,
    ood_distance: s.ood.distance,
    ood_score: s.ood.score,
    is_ood: s.ood.isOod ? 1 : 0,
    uncertainty: s.uncertainty,
    least_confidence: s.leastConfidence,
    entropy: s.entropy,
    knn_concept: s.knn.concept,
    knn_agreement: s.knn.share,
    disagreement: s.disagreement ? 1 : 0,
    priority: s.priority,
    neighbors_json: JSON.stringify(s.neighbors.map((n) => [n.seq, n.distance])),
    created_at: now,
  };
}

function toResult(s: ScoredPrediction, queued: boolean): PredictionResult {
  const { ood, uncertainty, priority } = s.score;
  return { id: s.input.id, ood, uncertainty, priority, queued, duplicate: false };
}

function storedToResult(r: StoredResultRow): PredictionResult {
  return {
    id: r.id,
    ood: { distance: r.ood_distance, score: r.ood_score, isOod: r.is_ood === 1 },
    uncertainty: r.uncertainty,
    priority: r.priority,
    queued: false,
    duplicate: true,
  };
}
