import { describe, it, expect } from 'vitest';
import { multilabelMetrics } from '../../../src/training/metrics/classification.js';
import fixture from './fixtures/multilabel.json' with { type: 'json' };
import { DIGITS, expectConceptsClose } from './expect-close.js';

describe('multilabelMetrics', () => {
  describe.each(fixture.cases)('when scoring "$name" (expected from scikit-learn)', (c) => {
    const metrics = multilabelMetrics(c.yTrue, c.probs, c.thresholds);

    it('then subset accuracy and macro-F1 match sklearn', () => {
      expect(metrics.subsetAccuracy).toBeCloseTo(c.expected.subsetAccuracy, DIGITS);
      // sklearn's figure averages every concept; ours averages those with support, the same when all have some.
      const supported = c.expected.perConcept.filter((s) => s.support > 0);
      expect(metrics.macroF1).toBeCloseTo(supported.reduce((a, s) => a + s.f1, 0) / supported.length, DIGITS);
      if (supported.length === c.expected.perConcept.length) expect(metrics.macroF1).toBeCloseTo(c.expected.macroF1, DIGITS);
    });

    it('then per-concept precision, recall, F1 and support match precision_recall_fscore_support', () => {
      expectConceptsClose(metrics.perConcept, c.expected.perConcept);
    });

    it('then the ECE over all (sample, concept) scores matches the numpy reference', () => {
      expect(metrics.ece).toBeCloseTo(c.expected.ece, DIGITS);
    });
  });

  it('when a score equals its threshold, then the concept is predicted', () => {
    const metrics = multilabelMetrics([[1, 0]], [[0.3, 0.7]], [0.3, 0.8]);
    expect(metrics.perConcept[0]).toEqual({ precision: 1, recall: 1, f1: 1, support: 1 });
    expect(metrics.subsetAccuracy).toBe(1);
  });

  it('when a label is neither 0 nor 1, then it throws a RangeError', () => {
    expect(() => multilabelMetrics([[2]], [[0.5]], [0.5])).toThrow(RangeError);
  });

  it('when thresholds do not match the concepts, then it throws a RangeError', () => {
    expect(() => multilabelMetrics([[1, 0]], [[0.5, 0.5]], [0.5])).toThrow(RangeError);
  });
});
