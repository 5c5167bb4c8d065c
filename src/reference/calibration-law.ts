import { betaQuantile } from '../drift/stats/beta-binomial.js';

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


/** Widest false-alarm rate (95% of calibration draws) the health check accepts, as a multiple of the nominal 1 − quantile. */
export const MAX_RATE_FACTOR = 1.5;

/**
 * The fewest calibration points for which 95% of calibration draws give a false-alarm rate
 * of at most MAX_RATE_FACTOR × (1 − quantile); searched by doubling, then bisection.
 */
export function recommendedCalibrationSize(quantile: number): number {
  const limit = MAX_RATE_FACTOR * (1 - quantile);
  const ok = (n: number) => calibrationLaw(quantile, n).range[1] <= limit;
  let hi = 8;
  while (!ok(hi) && hi < 1 << 24) hi *= 2;
  let lo = hi / 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
