import type { Model } from '../../models/model.js';

/** The reference a model's p-values are computed against, as the sequential detector needs it. */
export interface ReferenceState {
  /** Changes whenever the reference takes in new examples (a promotion adds labeled production items). */
  key: string;
  calibration: { source: 'eval' | 'leave-one-out'; size: number };
}

/** Reads a model's reference state (the reference registry supplies it). */
export type ReferenceStateReader = (model: Model) => Promise<ReferenceState>;

/** One prediction as the detector takes it in. */
export interface SequentialObservation {
  seq: number;
  isOod: boolean;
}

/** The sequential detector of a model, as `GET …/drift` and the report show it. */
export interface SequentialStatus {
  method: 'bernoulli_cusum';
  /** `armed` runs; `unarmed` waits for enough eval examples (see `calibration`). */
  state: 'armed' | 'unarmed';
  alarmed: boolean;
  statistic: number;
  limit: number;
  /** Steps of the statistic: + up for an OOD prediction, − down for another, floored at 0. */
  up: number;
  down: number;
  /** In-distribution OOD probability the calibration promises, and the rate tuned for. */
  p0: number;
  target: number;
  arl0: number;
  /** Exact in-distribution average run length at `limit` (Markov chain). */
  arl0Exact: number;
  /** Predictions taken in since the last reset, and when it was reset. */
  observed: number;
  since: string | null;
  lastSeq: number | null;
  alarm: { at: string; seq: number; statistic: number } | null;
  calibration: { source: 'eval' | 'leave-one-out'; size: number; required: number };
  summary: string;
}
