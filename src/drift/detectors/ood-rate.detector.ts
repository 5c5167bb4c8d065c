import { binomialTestGreater } from '../stats/index.js';
import type { DriftTestResult } from '../drift.types.js';
import { formatP, percent, ran, skipped } from './outcome.js';

export interface OodRateInput {
  oodCount: number;
  count: number;
  /** The model's ood.quantile: in-distribution data is flagged at rate 1 − quantile. */
  quantile: number;
  threshold: number;
  alpha: number;
}

/**
 * ood_rate: one-sided exact binomial test of the window's OOD count against the rate the
 * conformal calibration promises on in-distribution data (1 − quantile). It is also the
 * drift score, so its gate is the contract's: rate ≥ threshold and p < alpha.
 */
export function oodRateTest(input: OodRateInput): DriftTestResult {
  const { oodCount, count, quantile, threshold, alpha } = input;
  const expected = 1 - quantile;
  if (count === 0) return skipped('ood_rate', 'No predictions in the window yet.', { expectedRate: expected });
  const rate = oodCount / count;
  const pValue = binomialTestGreater(oodCount, count, expected);
  const drift = rate >= threshold && pValue < alpha;
  return ran('ood_rate', {
    statistic: rate,
    pValue,
    effect: rate,
    drift,
    summary: `${oodCount} of ${count} predictions (${percent(rate)}) are out of distribution; ${percent(expected)} expected, threshold ${percent(threshold)} (${formatP(pValue)}).`,
    details: { oodCount, count, expectedRate: expected, threshold },
  });
}
