import { describe, it, expect } from 'vitest';
import { expectedCalibrationError } from '../../../src/training/metrics/classification.js';

// Hand-worked from the definition; the sklearn/numpy comparisons are in multiclass and multilabel tests.
describe('expectedCalibrationError', () => {
  it('when every bin hit rate equals its mean confidence, then ECE is 0', () => {
    expect(expectedCalibrationError([0.5, 0.5, 1, 1], [true, false, true, true])).toBe(0);
  });

  it('when a confidence sits exactly on a bin edge, then it joins the lower bin', () => {
    // 0.2 = 3/15 is in (2/15, 3/15], 0.21 in (3/15, 4/15]: two bins, 0.5·0.8 + 0.5·0.21.
    expect(expectedCalibrationError([0.2, 0.21], [true, false])).toBeCloseTo(0.505, 12);
    // Both inside (3/15, 4/15]: one bin, |0.5 − 0.205|.
    expect(expectedCalibrationError([0.201, 0.209], [true, false])).toBeCloseTo(0.295, 12);
  });

  it('when a confidence is 0, then it joins the first bin', () => {
    expect(expectedCalibrationError([0, 0.05], [false, false])).toBeCloseTo(0.025, 12);
  });

  it('when a confidence is outside [0, 1], then it throws a RangeError', () => {
    expect(() => expectedCalibrationError([1.5], [true])).toThrow(RangeError);
  });
});
