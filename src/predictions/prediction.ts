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

/** A stored, scored prediction handed to whatever acts on new predictions (the review queue). */
export interface ScoredPrediction {
  seq: number;
  input: PredictionInput;
  score: PredictionScore;
}

/**
 * Runs inside the ingest transaction; returns, per prediction, whether it was queued. Statements
 * whose answers can wait go in `trip`, to share a round trip with the others.
 */
export type PredictionSink = (db: Db, model: Model, scored: ScoredPrediction[], trip: StatementTrip) => Promise<boolean[]>;

