import type { ConfidenceCalibration } from './calibration.js';
import { predictionCorrectness } from './correctness.js';
import type { PredictionSignals } from './performance.types.js';

/** The label-free estimate of a window: expected accuracy, its variance, and the open-set range. */
export interface LabelFreeEstimate {
  /** Per prediction, the probability it is right. */
  p: Float64Array;
  mean: number;
  /** Variance of (realised accuracy − mean): Bernoulli outcomes plus calibration error. */
  variance: number;
  /** Half-width added for the open-set assumption (a bound, not a variance). */
  systematic: number;
}

/** Calibrated-CBPE with k-NN agreement groups and an open-set discount on OOD predictions. */
export function labelFreeEstimate(cal: ConfidenceCalibration, window: readonly PredictionSignals[], openSetShare?: number): LabelFreeEstimate {
  const n = window.length;
  const p = new Float64Array(n);
  let sum = 0;
  let bernoulli = 0;
  let systematic = 0;
  // Items in one calibration cell share its error, so their errors add before squaring.
  const cells = new Map<number, { count: number; pSum: number; weight: number }>();
  window.forEach((s, i) => {
    const c = predictionCorrectness(cal, s, openSetShare);
    p[i] = c.p;
    sum += c.p;
    bernoulli += c.p * (1 - c.p);
    systematic += c.openSetRange;
    const key = cal.cell(s.topScore, s.knnAgrees);
    const cell = cells.get(key) ?? { count: 0, pSum: 0, weight: cal.weight(s.topScore, s.knnAgrees) };
    cell.count += 1;
    cell.pSum += c.p;
    cells.set(key, cell);
  });
  if (n === 0) return { p, mean: 0, variance: 0, systematic: 0 };
  let calibration = 0;
  for (const c of cells.values()) {
    const q = c.pSum / c.count;
    calibration += (c.count / n) ** 2 * ((q * (1 - q)) / c.weight);
  }
  return { p, mean: sum / n, variance: bernoulli / n ** 2 + calibration, systematic: systematic / n };
}
