import { describe, it, expect } from 'vitest';
import { abstainThreshold, bestF1Intervals, tuneF1Thresholds } from '../../../src/training/metrics/thresholds.js';
import { mulberry32 } from '../../../src/util/random.js';
import abstainFixture from './fixtures/abstain.json' with { type: 'json' };
import thresholdFixture from './fixtures/thresholds.json' with { type: 'json' };

/** F1 of predicting `score >= t`, counted directly: the independent check of the interval search. */
function f1At(y: number[], scores: number[], t: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  scores.forEach((s, i) => {
    if (s >= t && y[i] === 1) tp++;
    else if (s >= t) fp++;
    else if (y[i] === 1) fn++;
  });
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

describe('tuneF1Thresholds', () => {
  it.each(thresholdFixture.cases)(
    'when tuning "$name", then the highest best-F1 interval ends at the F1-optimal score of the exhaustive search (cross-checked with sklearn)',
    (c) => {
      c.expected.forEach((expected, k) => {
        const runs = bestF1Intervals(
          c.yTrue01.map((row) => row[k] === 1),
          c.probs.map((row) => row[k]!),
        );
        if (runs.length === 0) expect(expected).toBe(0.5);
        else expect(runs[0]!.hi).toBe(expected);
      });
    },
  );

  it('when the classes are cleanly separated, then the threshold is the middle of the gap, not the lowest positive score', () => {
    // Positives 0.96–0.999, negatives 0.001–0.05: every threshold in (0.05, 0.96] gives F1 1.
    const scores = [0.999, 0.99, 0.975, 0.96, 0.05, 0.03, 0.01, 0.001];
    const y = [1, 1, 1, 1, 0, 0, 0, 0];
    expect(tuneF1Thresholds(y.map((v) => [v]), scores.map((s) => [s]))).toEqual([(0.05 + 0.96) / 2]);
  });

  it('when two separate intervals give the same F1, then the middle of the wider one is chosen', () => {
    // (0.8, 0.9]: tp 1, fp 0, fn 1 → F1 2/3. (0, 0.6]: tp 2, fp 2 → 2/3 too, and wider.
    const y = [[1], [0], [0], [1]];
    const scores = [[0.9], [0.8], [0.7], [0.6]];
    expect(bestF1Intervals(y.map((r) => r[0] === 1), scores.map((r) => r[0]!))).toEqual([
      { lo: 0.8, hi: 0.9, f1: 2 / 3 },
      { lo: 0, hi: 0.6, f1: 2 / 3 },
    ]);
    expect(tuneF1Thresholds(y, scores)).toEqual([0.3]);
  });

  it('when there are few rows, then the threshold is shrunk toward 0.5 by the prior rows', () => {
    // 2 positives and 2 negatives: mid (0.85 + 0.95) / 2 = 0.9, n = 2; 10 prior rows give (2·0.9 + 10·0.5) / 12.
    const y = [[1], [1], [0], [0]];
    const scores = [[0.99], [0.95], [0.85], [0.8]];
    expect(tuneF1Thresholds(y, scores, 10)[0]).toBeCloseTo((2 * 0.9 + 10 * 0.5) / 12, 12);
    expect(tuneF1Thresholds(y, scores, 0)[0]).toBeCloseTo(0.9, 12);
  });

  it('when tuning random scores, then the chosen threshold reaches the best F1 counted directly over every score', () => {
    const rand = mulberry32(3);
    for (let trial = 0; trial < 50; trial++) {
      const n = 20 + Math.floor(rand() * 60);
      const y = Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
      const scores = y.map((v) => Math.round((0.4 * v + 0.6 * rand()) * 100) / 100);
      if (!y.includes(1)) continue;
      const [t] = tuneF1Thresholds(y.map((v) => [v]), scores.map((s) => [s]));
      const best = Math.max(...scores.map((s) => f1At(y, scores, s)));
      expect(f1At(y, scores, t!)).toBeCloseTo(best, 12);
      expect(scores).not.toContain(t);
    }
  });

  it('when samples share a score, then they are counted together at that score', () => {
    // At 0.7 both tied samples are predicted: tp 1, fp 1, fn 1 → F1 1/2; at 0.2: tp 2, fp 3 → 4/7.
    // Counting the tied positive alone would wrongly see F1 2/3 at 0.7.
    const y = [[1], [0], [1], [0], [0]];
    const scores = [[0.7], [0.7], [0.2], [0.2], [0.2]];
    expect(tuneF1Thresholds(y, scores)).toEqual([0.1]);
  });

  it('when a concept has no positive sample, then its threshold is 0.5', () => {
    expect(tuneF1Thresholds([[0, 1], [0, 0]], [[0.9, 0.8], [0.1, 0.3]])).toEqual([0.5, 0.55]);
  });
});

describe('abstainThreshold', () => {
  describe.each(abstainFixture.cases)('when choosing where to abstain on "$name"', (c) => {
    it.each(c.targets)(
      'then for target precision $targetPrecision it matches the exhaustive numpy search',
      ({ targetPrecision, expected }) => {
        const point = abstainThreshold(c.yTrue, c.probs, targetPrecision);
        expect(point.threshold).toBe(expected.threshold);
        expect(point.coverage).toBeCloseTo(expected.coverage, 12);
        expect(point.precision).toBeCloseTo(expected.precision, 12);
      },
    );
  });

  it('when all samples already reach the target, then the threshold is 0 with full coverage', () => {
    expect(abstainThreshold([0, 1], [[0.6, 0.4], [0.3, 0.7]], 0.9)).toEqual({ threshold: 0, coverage: 1, precision: 1 });
  });

  it('when precision is not monotone in the threshold, then the lowest threshold reaching the target wins', () => {
    // Confidences 0.6 ✓, 0.7 ✗, 0.8 ✓, 0.9 ✓: precision 3/4, 2/3, 1, 1 → lowest reaching 0.75 is 0 (all).
    const y = [0, 0, 0, 0];
    const probs = [[0.6, 0.4], [0.3, 0.7], [0.8, 0.2], [0.9, 0.1]];
    expect(abstainThreshold(y, probs, 0.75)).toEqual({ threshold: 0, coverage: 1, precision: 0.75 });
    expect(abstainThreshold(y, probs, 0.8)).toEqual({ threshold: 0.8, coverage: 0.5, precision: 1 });
  });

  it('when even the most confident answer is wrong, then the threshold is 1 and nothing is answered', () => {
    expect(abstainThreshold([1, 0], [[0.9, 0.1], [0.8, 0.2]], 0.6)).toEqual({ threshold: 1, coverage: 0, precision: 0 });
  });

  it('when the target precision is outside [0, 1], then it throws a RangeError', () => {
    expect(() => abstainThreshold([0], [[1, 0]], 1.5)).toThrow(RangeError);
  });
});
