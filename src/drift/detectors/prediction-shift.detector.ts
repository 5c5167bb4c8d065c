import { chiSquareGoodnessOfFit } from '../stats/index.js';
import type { DriftTestResult } from '../drift.types.js';
import { formatP, percent, ran, skipped } from './outcome.js';
import { poolRareCategories } from './pool-categories.js';

export interface PredictionShiftInput {
  concepts: string[];
  /** Window count of predictions per concept, aligned with `concepts`. */
  observed: number[];
  /** Training label share per concept, aligned with `concepts` (need not sum to 1). */
  training: number[];
  alpha: number;
  /** Smallest total variation distance that counts as drift. */
  minShift: number;
}

const MIN_PREDICTIONS = 20;

/**
 * prediction_shift: Pearson chi-square goodness of fit of the predicted-concept counts
 * against the training label distribution. Concepts with an expected count below 5 are
 * pooled first (the chi-square approximation fails there and inflates false alarms), and
 * drift also needs a total variation distance of at least `minShift`.
 */
export function predictionShiftTest(input: PredictionShiftInput): DriftTestResult {
  const { concepts, observed, training, alpha, minShift } = input;
  const total = observed.reduce((a, b) => a + b, 0);
  const trainingTotal = training.reduce((a, b) => a + b, 0);
  if (total < MIN_PREDICTIONS) return skipped('prediction_shift', `Needs at least ${MIN_PREDICTIONS} predictions in the window.`, { count: total });
  if (!(trainingTotal > 0)) return skipped('prediction_shift', 'No training labels to compare with.', { count: total });
  const shares = training.map((t) => t / trainingTotal);
  const pooled = poolRareCategories(observed, shares, total);
  if (pooled.observed.length < 2) return skipped('prediction_shift', 'Fewer than two concepts with enough expected predictions.', { count: total });
  const r = chiSquareGoodnessOfFit(pooled.observed, pooled.shares);
  const moves = concepts.map((c, i) => ({ c, delta: observed[i]! / total - shares[i]! }));
  const tvd = moves.reduce((s, m) => s + Math.abs(m.delta), 0) / 2;
  const top = moves.reduce((best, m) => (Math.abs(m.delta) > Math.abs(best.delta) ? m : best), moves[0]!);
  const drift = r.pValue < alpha && tvd >= minShift;
  return ran('prediction_shift', {
    statistic: r.statistic,
    pValue: r.pValue,
    effect: tvd,
    drift,
    summary: `Predicted-concept mix is ${percent(tvd)} (total variation) away from training; largest move: '${top.c}' ${top.delta >= 0 ? '+' : ''}${percent(top.delta)} (χ² = ${r.statistic.toFixed(1)}, df ${r.df}, ${formatP(r.pValue)}).`,
    details: { df: r.df, totalVariation: tvd, pooledCategories: pooled.pooled, count: total, largestMove: top.c },
  });
}
