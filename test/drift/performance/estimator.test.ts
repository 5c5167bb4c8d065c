import { describe, expect, it } from 'vitest';
import { isotonicCbpe, naiveCbpe } from '../../../src/drift/performance/baselines.js';
import { ConfidenceCalibration } from '../../../src/drift/performance/calibration.js';
import { predictionCorrectness } from '../../../src/drift/performance/correctness.js';
import { estimatePerformance } from '../../../src/drift/performance/estimate.js';
import type { CalibrationPair } from '../../../src/drift/performance/performance.types.js';
import { PerformanceWorld, truthOf } from '../../support/performance-world.js';

const signal = (topScore: number, knnAgrees = true) => ({ topScore, knnAgrees, isOod: false, uncertain: false, priority: 0 });

function run(seed: number, labels: number) {
  const world = new PerformanceWorld(seed);
  const calibration = ConfidenceCalibration.fit(world.calibration(1000));
  const window = world.production(1000);
  const labeled = labels > 0 ? world.queueSelect(world.production(4000), labels) : [];
  const estimate = estimatePerformance({ calibration, calibrationSource: 'eval', window, labeled });
  return { estimate, truth: truthOf(window), naive: naiveCbpe(window), labeled };
}

const covers = (e: { interval: [number, number] }, truth: number) => e.interval[0] <= truth && truth <= e.interval[1];

describe('confidence calibration', () => {
  it('when a bin holds many eval pairs, then its accuracy is what they show, shrunk by the 10-pair prior', () => {
    const pairs: CalibrationPair[] = Array.from({ length: 90 }, (_, i) => ({ topScore: 0.95, knnAgrees: true, correct: i < 45 }));
    const cal = ConfidenceCalibration.fit(pairs);
    // ratio = (45 + 10·(46/86.5)) / (85.5 + 10); prior = ratio·0.95; (45 + 10·prior) / 100
    const overall = 46 / 86.5;
    const ratio = (45 + 10 * overall) / (90 * 0.95 + 10);
    expect(cal.correctness(0.95, true)).toBeCloseTo((45 + 10 * ratio * 0.95) / 100, 12);
    expect(cal.reference).toBe(0.5);
  });

  it('when eval data never reached a score, then the score is scaled by the group ratio instead of snapping to 0', () => {
    const pairs: CalibrationPair[] = Array.from({ length: 200 }, (_, i) => ({ topScore: 0.9, knnAgrees: true, correct: i % 10 !== 0 }));
    const cal = ConfidenceCalibration.fit(pairs);
    expect(cal.correctness(0.35, true)).toBeCloseTo(0.35 * (180 + 10 * (181 / 181)) / (180 + 10), 12);
    // Isotonic CBPE maps every score below the eval range to its lowest block.
    expect(isotonicCbpe(pairs, [signal(0.35)])).toBeCloseTo(0.9, 12);
  });

  it('when an input is OOD, then its correctness is discounted by the open-set share and the range is reported', () => {
    const cal = ConfidenceCalibration.fit(Array.from({ length: 50 }, () => ({ topScore: 0.8, knnAgrees: true, correct: true })));
    const inDist = predictionCorrectness(cal, signal(0.8));
    const ood = predictionCorrectness(cal, { ...signal(0.8), isOod: true }, 0.25);
    expect(ood.p).toBeCloseTo(inDist.p * 0.75, 12);
    expect(ood.openSetRange).toBeCloseTo(inDist.p * 0.25, 12);
    expect(inDist.openSetRange).toBe(0);
  });
});

describe('accuracy estimate on generated data with a known truth (30% corrupted, 10% unseen concepts)', () => {
  it('when no label exists, then the estimate is within 0.035 of the truth and its interval covers it, while naive CBPE misses by more', () => {
    const { estimate, truth, naive } = run(11, 0);
    expect(Math.abs(estimate.estimatedAccuracy - truth)).toBeLessThanOrEqual(0.035);
    expect(covers(estimate, truth)).toBe(true);
    expect(estimate.labeled).toBeNull();
    expect(estimate.method).toMatch(/^cbpe-knn-openset \(/);
    expect(Math.abs(naive - truth)).toBeGreaterThan(0.035);
  });

  it('when 400 queue-selected labels exist, then the estimate is within 0.03 and the 90% interval covers the truth in at least 85% of 100 runs', () => {
    let covered = 0;
    let within = 0;
    let naiveWithin = 0;
    for (let seed = 100; seed < 200; seed++) {
      const { estimate, truth, naive } = run(seed, 400);
      if (covers(estimate, truth)) covered += 1;
      if (Math.abs(estimate.estimatedAccuracy - truth) <= 0.03) within += 1;
      if (Math.abs(naive - truth) <= 0.03) naiveWithin += 1;
    }
    expect(covered).toBeGreaterThanOrEqual(85);
    expect(within).toBeGreaterThanOrEqual(85);
    expect(naiveWithin).toBeLessThan(50);
    const one = run(7, 400);
    expect(one.estimate.method).toMatch(/stratified-difference/);
    // The queue picked the hard cases: raw labeled accuracy is far below the truth.
    expect(one.estimate.labeled!.n).toBe(400);
    expect(one.estimate.labeled!.accuracy).toBeLessThan(one.truth - 0.2);
  });

  it('when labels arrive, then the interval narrows (mean width over 20 runs)', () => {
    const widths = [0, 100, 400, 1000].map((n) => {
      let total = 0;
      for (let seed = 300; seed < 320; seed++) {
        const { interval } = run(seed, n).estimate;
        total += interval[1] - interval[0];
      }
      return total / 20;
    });
    for (let i = 1; i < widths.length; i++) expect(widths[i]!).toBeLessThan(widths[i - 1]!);
  });
});
