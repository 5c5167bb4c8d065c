import { describe, it, expect } from 'vitest';
import { multiclassMetrics } from '../../../src/training/metrics/classification.js';
import fixture from './fixtures/multiclass.json' with { type: 'json' };
import { DIGITS, expectConceptsClose } from './expect-close.js';

describe('multiclassMetrics', () => {
  describe.each(fixture.cases)('when scoring "$name" (expected from scikit-learn)', (c) => {
    const metrics = multiclassMetrics(c.yTrue, c.probs);

    it('then accuracy and macro-F1 match sklearn', () => {
      expect(metrics.accuracy).toBeCloseTo(c.expected.accuracy, DIGITS);
      // sklearn's figure averages every concept; ours averages those with support, the same when all have some.
      const supported = c.expected.perConcept.filter((s) => s.support > 0);
      expect(metrics.macroF1).toBeCloseTo(supported.reduce((a, s) => a + s.f1, 0) / supported.length, DIGITS);
      if (supported.length === c.expected.perConcept.length) expect(metrics.macroF1).toBeCloseTo(c.expected.macroF1, DIGITS);
    });

    it('then per-concept precision, recall, F1 and support match precision_recall_fscore_support', () => {
      expectConceptsClose(metrics.perConcept, c.expected.perConcept);
    });

    it('then the confusion matrix matches sklearn (rows true, columns predicted)', () => {
      expect(metrics.confusion).toEqual(c.expected.confusion);
    });

    it('then the 15-bin top-1 ECE matches the numpy reference', () => {
      expect(metrics.ece).toBeCloseTo(c.expected.ece, DIGITS);
    });
  });

  it('when a class is never predicted, then its precision and F1 are 0; a class without support does not count in macro-F1', () => {
    // true: 0 0 1 1, predicted: 0 0 0 0, class 2 has neither support nor predictions
    const metrics = multiclassMetrics([0, 0, 1, 1], [
      [0.9, 0.1, 0],
      [0.8, 0.2, 0],
      [0.6, 0.4, 0],
      [0.7, 0.3, 0],
    ]);
    expect(metrics.perConcept[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(metrics.perConcept[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(metrics.macroF1).toBeCloseTo(metrics.perConcept[0].f1 / 2, DIGITS);
  });

  it('when probabilities tie, then the lowest class index is predicted, as numpy.argmax', () => {
    expect(multiclassMetrics([1], [[0.4, 0.4, 0.2]]).confusion[1]).toEqual([1, 0, 0]);
  });

  it('when a label is not a column index, then it throws a RangeError', () => {
    expect(() => multiclassMetrics([2], [[0.5, 0.5]])).toThrow(RangeError);
  });

  it('when labels and probability rows differ in number, then it throws a RangeError', () => {
    expect(() => multiclassMetrics([0, 1], [[0.5, 0.5]])).toThrow(RangeError);
  });

  it('when there is no sample, then it throws a RangeError', () => {
    expect(() => multiclassMetrics([], [])).toThrow(RangeError);
  });
});
