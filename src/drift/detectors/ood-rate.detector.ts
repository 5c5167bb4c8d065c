import { calibrationLaw } from '../../reference/calibration-law.js';
import { betaBinomialSfAtLeast, binomialTestGreater } from '../stats/index.js';
import type { DriftTestResult } from '../drift.types.js';
import { formatP, percent, ran, skipped } from './outcome.js';

export interface OodRateInput {
  oodCount: number;
  count: number;
  /** The model's ood.quantile: in-distribution data is flagged at rate 1 − quantile. */
  quantile: number;
  threshold: number;
  alpha: number;
  /** Points in the conformal calibration set; without it the promised rate is taken as exact. */
  calibrationSize?: number | undefined;
}

/**
 * ood_rate: one-sided test of the window's OOD count against the rate the conformal
 * calibration promises on in-distribution data. With the calibration size known the count is
 * beta-binomial (the rate itself varies with the calibration draw, see `calibrationLaw`), so
 * the false-alarm rate over calibration draws stays at alpha; without it, exact binomial at
 * 1 − quantile. It is also the drift score, so its gate is the contract's: rate ≥ threshold
 * and p < alpha.
 */
export function oodRateTest(input: OodRateInput): DriftTestResult {
  const { oodCount, count, quantile, threshold, alpha, calibrationSize } = input;
  const law = calibrationSize && calibrationSize > 0 ? calibrationLaw(quantile, calibrationSize) : undefined;
  const expected = law?.expected ?? 1 - quantile;
  if (count === 0) return skipped('ood_rate', 'No predictions in the window yet.', { expectedRate: expected });
  const rate = oodCount / count;
  const pValue = law ? betaBinomialSfAtLeast(oodCount, count, law.a, law.b) : binomialTestGreater(oodCount, count, expected);
  const drift = rate >= threshold && pValue < alpha;
  const spread = law ? `, ${percent(law.range[0])}–${percent(law.range[1])} over calibration draws of ${law.size} points` : '';
  return ran('ood_rate', {
    statistic: rate,
    pValue,
    effect: rate,
    drift,
    summary: `${oodCount} of ${count} predictions (${percent(rate)}) are out of distribution; ${percent(expected)} expected${spread}, threshold ${percent(threshold)} (${formatP(pValue)}).`,
    details: {
      oodCount,
      count,
      expectedRate: expected,
      threshold,
      method: law ? 'beta-binomial' : 'binomial',
      ...(law ? { calibrationSize: law.size, expectedLow: law.range[0], expectedHigh: law.range[1] } : {}),
    },
  });
}
