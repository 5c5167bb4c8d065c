import { describe, expect, it } from 'vitest';
import { confidenceShiftTest } from '../../src/drift/detectors/confidence-shift.detector.js';
import { embeddingMmdTest } from '../../src/drift/detectors/embedding-mmd.detector.js';
import { labeledAccuracyTest } from '../../src/drift/detectors/labeled-accuracy.detector.js';
import { oodRateTest } from '../../src/drift/detectors/ood-rate.detector.js';
import { predictionShiftTest } from '../../src/drift/detectors/prediction-shift.detector.js';
import type { DriftTestResult } from '../../src/drift/drift.types.js';
import { binomialSf } from '../../src/drift/stats/index.js';
import { gaussian, mulberry32 } from '../../src/util/random.js';

const WINDOWS = 1000;
const ALPHA = 0.05;

/** The largest count of false alarms in WINDOWS no-shift windows that a level-ALPHA test reaches with probability ≥ 0.001. */
function upperBound(): number {
  let k = 0;
  while (binomialSf(k, WINDOWS, ALPHA) > 0.001) k++;
  return k;
}

/** Runs `window` WINDOWS times and counts p-values below ALPHA and drift verdicts. */
function alarms(window: (i: number) => DriftTestResult) {
  let significant = 0;
  let drift = 0;
  for (let i = 0; i < WINDOWS; i++) {
    const r = window(i);
    expect(r.status).not.toBe('insufficient_data');
    if (r.pValue !== null && r.pValue < ALPHA) significant += 1;
    if (r.drift) drift += 1;
  }
  return { significant, drift };
}

function binomial(rand: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k++;
  return k;
}

// Each test on 1,000 windows drawn from the reference distribution itself: the share of
// p-values below alpha must stay within the binomial range of alpha (one-sided, 0.1%), at a
// small and at a large window, so window size cannot inflate alarms.
describe.each([
  { size: 200, label: 'small' },
  { size: 20_000, label: 'large' },
])('false alarms over 1,000 no-shift windows ($label windows of $size)', ({ size }) => {
  const bound = upperBound();

  it('when OOD flags arrive at the conformal rate, then ood_rate alarms at most at alpha', () => {
    const rand = mulberry32(1);
    const { significant, drift } = alarms(() => oodRateTest({ oodCount: binomial(rand, size, 0.05), count: size, quantile: 0.95, threshold: 0.15, alpha: ALPHA }));
    expect(significant).toBeLessThanOrEqual(bound);
    expect(drift).toBeLessThanOrEqual(significant);
  });

  it('when predicted concepts follow the training shares, then prediction_shift alarms at most at alpha', () => {
    const rand = mulberry32(2);
    const shares = [0.4, 0.3, 0.2, 0.1];
    const { significant, drift } = alarms(() => {
      const observed = [0, 0, 0, 0];
      for (let i = 0; i < size; i++) {
        let u = rand();
        let c = 0;
        while (c < 3 && (u -= shares[c]!) >= 0) c++;
        observed[c]! += 1;
      }
      return predictionShiftTest({ concepts: ['a', 'b', 'c', 'd'], observed, training: shares, alpha: ALPHA, minShift: 0.1 });
    });
    expect(significant).toBeLessThanOrEqual(bound);
    expect(drift).toBeLessThanOrEqual(significant);
  });

  it('when labeled items are right at the eval accuracy, then labeled_accuracy alarms at most at alpha', () => {
    const rand = mulberry32(3);
    const n = Math.min(size, 2000);
    const { significant, drift } = alarms(() => labeledAccuracyTest({ production: { correct: binomial(rand, n, 0.9), total: n }, evalAccuracy: 0.9, alpha: ALPHA, minLabeled: 30, minDrop: 0.05 }));
    expect(significant).toBeLessThanOrEqual(bound);
    expect(drift).toBeLessThanOrEqual(significant);
  });

  it('when production and baseline scores come from one distribution, then confidence_shift alarms at most at alpha', () => {
    const rand = mulberry32(4);
    const n = Math.min(size, 2000);
    const score = () => Math.min(1, 0.5 + 0.5 * Math.sqrt(rand()));
    const { significant, drift } = alarms(() => confidenceShiftTest({ production: Array.from({ length: n }, score), reference: { source: 'same distribution', scores: Array.from({ length: n }, score) }, alpha: ALPHA, minShift: 0.1 }));
    expect(significant).toBeLessThanOrEqual(bound);
    expect(drift).toBeLessThanOrEqual(significant);
  });
});

describe('false alarms of the permutation MMD test over 1,000 no-shift windows', () => {
  it('when window and reference come from one distribution, then p-values below alpha occur at alpha, within the binomial range', async () => {
    const normal = gaussian(mulberry32(5));
    const point = () => Float32Array.from({ length: 4 }, normal);
    let significant = 0;
    for (let i = 0; i < WINDOWS; i++) {
      const r = await embeddingMmdTest({ window: Array.from({ length: 30 }, point), reference: Array.from({ length: 30 }, point), permutations: 200, seed: i + 1, alpha: ALPHA });
      if (r.pValue !== null && r.pValue < ALPHA) significant += 1;
    }
    let lower = WINDOWS;
    while (binomialSf(lower, WINDOWS, ALPHA) < 0.999) lower--;
    expect(significant).toBeLessThanOrEqual(upperBound());
    expect(significant).toBeGreaterThanOrEqual(lower);
  });
});
