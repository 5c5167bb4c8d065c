import type { ConfidenceCalibration } from './calibration.js';
import type { PredictionSignals } from './performance.types.js';

/**
 * Share of out-of-distribution predictions assumed to come from concepts outside the taxonomy
 * (always wrong) when no label says otherwise. The interval spans [0, 2×] this share, so the
 * assumption is visible in its width; labeled `newConcepts`/`outOfScope` answers replace it.
 */
const OPEN_SET_PRIOR = 0.2;

/** Per-prediction probability that the forwarded top-1 is right, and how much of it rests on the open-set assumption. */
export interface Correctness {
  p: number;
  /** Half the range of `p` as the open-set share goes from 0 to twice its prior. */
  openSetRange: number;
}

/**
 * Label-free probability that one forwarded prediction is right: its score calibrated on eval
 * data within its k-NN agreement group, discounted for OOD inputs by the chance that they show
 * a concept the taxonomy lacks. Regions and the window estimate share this function.
 */
export function predictionCorrectness(cal: ConfidenceCalibration, s: PredictionSignals, openSetShare = OPEN_SET_PRIOR): Correctness {
  const g = cal.correctness(s.topScore, s.knnAgrees);
  if (!s.isOod) return { p: g, openSetRange: 0 };
  return { p: g * (1 - openSetShare), openSetRange: g * openSetShare };
}
