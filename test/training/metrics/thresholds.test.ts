import { describe, it, expect } from 'vitest';
import { abstainThreshold, tuneF1Thresholds } from '../../../src/training/metrics/thresholds.js';
import abstainFixture from './fixtures/abstain.json' with { type: 'json' };
import thresholdFixture from './fixtures/thresholds.json' with { type: 'json' };

describe('tuneF1Thresholds', () => {
  it.each(thresholdFixture.cases)(
    'when tuning "$name", then each threshold is the F1-optimal score (search cross-checked with sklearn)',
    (c) => {
      expect(tuneF1Thresholds(c.yTrue01, c.probs)).toEqual(c.expected);
    },
  );

  it('when two thresholds give the same F1, then the higher one is chosen', () => {
    // At 0.9: tp 1, fp 0, fn 1 → F1 2/3. At 0.6: tp 2, fp 2, fn 0 → F1 2/3. 0.8 and 0.7 are worse.
    const y = [[1], [0], [0], [1]];
    const scores = [[0.9], [0.8], [0.7], [0.6]];
    expect(tuneF1Thresholds(y, scores)).toEqual([0.9]);
  });

  it('when samples share a score, then they are counted together at that score', () => {
    // At 0.7 both tied samples are predicted: tp 1, fp 1, fn 1 → F1 1/2; at 0.2: tp 2, fp 3 → 4/7.
    // Counting the tied positive alone would wrongly see F1 2/3 at 0.7.
    const y = [[1], [0], [1], [0], [0]];
    const scores = [[0.7], [0.7], [0.2], [0.2], [0.2]];
    expect(tuneF1Thresholds(y, scores)).toEqual([0.2]);
  });

  it('when a concept has no positive sample, then its threshold is 0.5', () => {
    expect(tuneF1Thresholds([[0, 1], [0, 0]], [[0.9, 0.8], [0.1, 0.3]])).toEqual([0.5, 0.8]);
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
