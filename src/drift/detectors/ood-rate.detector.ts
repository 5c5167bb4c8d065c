import { betaBinomialSfAtLeast, betaQuantile, binomialTestGreater } from '../stats/index.js';
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

/** How a calibration set of `size` points flags: from its `flagsFrom`-th smallest distance, so the false-alarm rate is Beta(a, b) over calibration draws. */
export interface CalibrationLaw {
  size: number;
  flagsFrom: number;
  a: number;
  b: number;
  /** Mean false-alarm rate over calibration draws, a / (a + b). */
  expected: number;
  /** The 5% and 95% quantiles of the false-alarm rate over calibration draws. */
  range: [number, number];
}

/**
 * The false-alarm rate of `isOod` (percentile ≥ q, the percentile being the share of
 * calibration distances below) given a calibration set of n points. A point is flagged when
 * its distance exceeds the m-th smallest calibration distance, m = ⌈q·n⌉; that order
 * statistic sits at F ~ Beta(m, n − m + 1) for exchangeable data, so the rate 1 − F is
 * Beta(n − m + 1, m) (Bates et al. 2023, calibration-conditional conformal guarantees).
 */
export function calibrationLaw(quantile: number, size: number): CalibrationLaw {
  let m = Math.ceil(quantile * size);
  // Exactly the smallest m with m / n ≥ q, as Calibration.percentile compares, whatever the rounding.
  while (m > 1 && (m - 1) / size >= quantile) m--;
  while (m < size && m / size < quantile) m++;
  const a = size - m + 1;
  const b = m;
  return { size, flagsFrom: m, a, b, expected: a / (a + b), range: [betaQuantile(0.05, a, b), betaQuantile(0.95, a, b)] };
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
