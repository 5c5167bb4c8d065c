import { describe, expect, it } from 'vitest';
import { confidenceShiftTest } from '../../src/drift/detectors/confidence-shift.detector.js';
import { labeledAccuracyTest } from '../../src/drift/detectors/labeled-accuracy.detector.js';
import { oodRateTest } from '../../src/drift/detectors/ood-rate.detector.js';
import { predictionShiftTest } from '../../src/drift/detectors/prediction-shift.detector.js';
import { wilsonInterval } from '../../src/drift/stats/index.js';

// The gates around the statistics: significance AND a large enough effect.
describe('drift test gates', () => {
  it('when the OOD rate is significant but below the threshold, then ood_rate does not signal drift', () => {
    const r = oodRateTest({ oodCount: 1200, count: 10_000, quantile: 0.95, threshold: 0.15, alpha: 0.01 });
    expect(r.pValue).toBeLessThan(1e-10);
    expect(r.drift).toBe(false);
    expect(oodRateTest({ oodCount: 1600, count: 10_000, quantile: 0.95, threshold: 0.15, alpha: 0.01 }).drift).toBe(true);
  });

  it('when the OOD rate passes the threshold on too few predictions to be significant, then it does not signal drift', () => {
    const r = oodRateTest({ oodCount: 1, count: 3, quantile: 0.95, threshold: 0.15, alpha: 0.01 });
    expect(r.statistic).toBeGreaterThan(0.15);
    expect(r.drift).toBe(false);
  });

  it('when a large window makes a small mix change significant, then prediction_shift needs the total-variation gate too', () => {
    const concepts = ['a', 'b'];
    const small = predictionShiftTest({ concepts, observed: [52_000, 48_000], training: [1, 1], alpha: 0.01, minShift: 0.1 });
    expect(small.pValue).toBeLessThan(1e-10);
    expect(small.effect).toBeCloseTo(0.02, 12);
    expect(small.drift).toBe(false);
    expect(predictionShiftTest({ concepts, observed: [65_000, 35_000], training: [1, 1], alpha: 0.01, minShift: 0.1 }).drift).toBe(true);
  });

  it('when a large sample makes a tiny confidence change significant, then confidence_shift needs the KS-distance gate too', () => {
    const base = Array.from({ length: 20_000 }, (_, i) => (i + 0.5) / 20_000);
    const prod = base.map((x) => Math.min(1, x * 0.96));
    const r = confidenceShiftTest({ production: prod, reference: { source: 'test', scores: base }, alpha: 0.01, minShift: 0.1 });
    expect(r.pValue).toBeLessThan(0.01);
    expect(r.drift).toBe(false);
  });

  it('when labeled accuracy is below eval accuracy, then the p-value is the exact one-sided binomial (scipy binom.cdf) and drift follows it', () => {
    const at46 = labeledAccuracyTest({ production: { correct: 46, total: 60 }, evalAccuracy: 0.9, alpha: 0.01, minLabeled: 30, minDrop: 0 });
    expect(at46.pValue).toBeCloseTo(0.002028213191242249, 12);
    expect(at46.drift).toBe(true);
    // binom.cdf(50, 60, 0.9) = 0.073: not significant at 0.01.
    const at50 = labeledAccuracyTest({ production: { correct: 50, total: 60 }, evalAccuracy: 0.9, alpha: 0.01, minLabeled: 30, minDrop: 0 });
    expect(at50.drift).toBe(false);
    expect(at50.details.upper).toBeCloseTo(wilsonInterval(50, 60, 0.98).upper, 12);
  });

  it('when too few items are labeled, then labeled_accuracy says not enough data', () => {
    const r = labeledAccuracyTest({ production: { correct: 5, total: 10 }, evalAccuracy: 0.9, alpha: 0.01, minLabeled: 30, minDrop: 0.05 });
    expect(r.status).toBe('insufficient_data');
    expect(r.summary).toMatch(/not enough data: 10 labeled/i);
  });
});
