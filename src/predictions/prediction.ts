import type { Db } from '../db/database.js';
import type { StatementTrip } from '../db/statement-trip.js';
import type { Model } from '../models/model.js';
import type { PredictionScore } from '../scoring/scorer.js';

/** One prediction as a production app forwards it. */
export interface PredictionInput {
  id: string;
  embedding: number[];
  scores: Record<string, number>;
  encoder?: string | undefined;
  modelVersion?: string | undefined;
  timestamp?: string | undefined;
  input?: { url?: string | undefined; text?: string | undefined } | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** What the client gets back for one prediction. */
export interface PredictionResult {
  id: string;
  ood: { distance: number; score: number; isOod: boolean };
  uncertainty: number;
  priority: number;
  queued: boolean;
  duplicate: boolean;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  results: PredictionResult[];
}

/** A scored prediction of a batch, before it is stored. */
export interface FreshPrediction {
  input: PredictionInput;
  score: PredictionScore;
}

/** A stored, scored prediction handed to whatever acts on new predictions (the review queue). */
export interface ScoredPrediction extends FreshPrediction {
  seq: number;
}

/**
 * Acts on a batch's new predictions (the review queue). Called with the batch's fresh predictions
 * once the model's batches ahead have finished: on SQLite before the ingest transaction, in a
 * main-thread turn of its own, so the work it does there (needing no transaction) leaves the
 * transaction's turn shorter; on PostgreSQL, whose batches overlap, inside the transaction. It
 * resolves to the step that runs inside the transaction.
 */
export type PredictionSink = (model: Model, fresh: readonly FreshPrediction[]) => Promise<SinkStep>;

/**
 * Runs inside the ingest transaction with the predictions stored (those another request stored
 * meanwhile left out); returns, per prediction, whether it was queued. Statements whose answers
 * can wait go in `trip`, to share a round trip with the others.
 */
export type SinkStep = (db: Db, scored: ScoredPrediction[], trip: StatementTrip) => Promise<boolean[]>;

