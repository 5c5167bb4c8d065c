import { describe, expect, it } from 'vitest';
import { oodRateTest } from '../../src/drift/detectors/ood-rate.detector.js';
import { calibrationLaw } from '../../src/reference/calibration-law.js';
import { Calibration } from '../../src/reference/calibration.js';
import { mulberry32 } from '../../src/util/random.js';

/**
 * The window OOD-rate test over many calibration draws: in-distribution windows scored
 * against a fresh calibration set each time, as a model's eval split could have been drawn.
 * Distances are uniform: the conformal percentile is distribution-free, so any continuous law gives the same counts.
 */
function falseAlarmRate(opts: { calibrationSize: number; window: number; draws: number; alpha: number; quantile: number; withSize: boolean; seed: number }): number {
  const rand = mulberry32(opts.seed);
  let alarms = 0;
  for (let d = 0; d < opts.draws; d++) {
    const calibration = new Calibration();
    for (let i = 0; i < opts.calibrationSize; i++) calibration.set(i, rand());
    const percentile = calibration.percentiles();
    let ood = 0;
    for (let i = 0; i < opts.window; i++) if (percentile(rand()) >= opts.quantile) ood++;
    const r = oodRateTest({
      oodCount: ood,
      count: opts.window,
      quantile: opts.quantile,
      // No effect-size gate: only the p-value's calibration is under test.
      threshold: 0,
      alpha: opts.alpha,
      calibrationSize: opts.withSize ? opts.calibrationSize : undefined,
    });
    if (r.drift) alarms++;
  }
  return alarms / opts.draws;
}

describe('ood_rate over calibration draws', () => {
  const base = { calibrationSize: 124, window: 500, draws: 3000, alpha: 0.05, quantile: 0.95 };
  // Three binomial standard errors of the Monte Carlo estimate at alpha.
  const slack = 3 * Math.sqrt((base.alpha * (1 - base.alpha)) / base.draws);

  it('when the calibration set has 124 points, then the beta-binomial test keeps the false-alarm rate at alpha or below', () => {
    expect(falseAlarmRate({ ...base, withSize: true, seed: 1 })).toBeLessThanOrEqual(base.alpha + slack);
  });

  it('when the calibration size is ignored (binomial at exactly 5%), then the same draws alarm far more often than alpha', () => {
    expect(falseAlarmRate({ ...base, withSize: false, seed: 1 })).toBeGreaterThan(3 * base.alpha);
  });

  it('when the calibration set is large, then the beta-binomial and the binomial agree closely', () => {
    const a = oodRateTest({ oodCount: 40, count: 500, quantile: 0.95, threshold: 0, alpha: 0.01, calibrationSize: 200_000 });
    const b = oodRateTest({ oodCount: 40, count: 500, quantile: 0.95, threshold: 0, alpha: 0.01 });
    expect(a.pValue! / b.pValue!).toBeGreaterThan(0.9);
    expect(a.pValue! / b.pValue!).toBeLessThan(1.2);
  });

  it('when a calibration set of n points flags from its m-th smallest distance, then m is the smallest with m/n ≥ q, as Calibration.percentile compares', () => {
    for (const [q, n] of [[0.95, 124], [0.95, 20], [0.9, 10], [0.99, 1000], [0.95, 1]] as const) {
      const { flagsFrom: m } = calibrationLaw(q, n);
      const cal = new Calibration();
      for (let i = 1; i <= n; i++) cal.set(i, i);
      // A distance just above the m-th smallest is flagged; at it, not.
      expect(cal.percentile(m + 0.5) >= q).toBe(true);
      expect(cal.percentile(m) >= q).toBe(false);
    }
  });
});
