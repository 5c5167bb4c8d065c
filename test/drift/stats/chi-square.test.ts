import { describe, expect, it } from 'vitest';
import { chiSquareGoodnessOfFit, chiSquareSf } from '../../../src/drift/stats/chi-square.js';
import { expectClose, loadFixture } from './fixture.js';

interface FitCase { observed: number[]; expectedProportions: number[]; statistic: number; df: number; pValue: number; note: string }

const fixture = loadFixture<{ goodnessOfFit: FitCase[]; survival: { statistic: number; df: number; pValue: number }[] }>('chi-square');

describe(`chiSquareGoodnessOfFit against ${fixture.source}`, () => {
  it.each(fixture.goodnessOfFit)('when $note, then statistic, df and p-value match scipy', (c) => {
    const result = chiSquareGoodnessOfFit(c.observed, c.expectedProportions);
    expect(result.df).toBe(c.df);
    expectClose(result.statistic, c.statistic, { rel: 1e-13 }, 'statistic');
    expectClose(result.pValue, c.pValue, { rel: 1e-11 }, 'pValue');
  });

  it('when a predicted concept has no expected share, then the statistic stays finite and the p-value is small', () => {
    const result = chiSquareGoodnessOfFit([90, 60, 40, 10], [0.45, 0.3, 0.25, 0]);
    expect(Number.isFinite(result.statistic)).toBe(true);
    expect(result.pValue).toBeLessThan(1e-6);
  });

  it('when a category is empty on both sides, then it does not count towards df', () => {
    expect(chiSquareGoodnessOfFit([5, 5, 0], [0.5, 0.5, 0]).df).toBe(1);
  });

  it('when there are no observations or a single category, then there is no evidence: p = 1', () => {
    expect(chiSquareGoodnessOfFit([0, 0, 0], [0.2, 0.3, 0.5])).toEqual({ statistic: 0, df: 2, pValue: 1 });
    expect(chiSquareGoodnessOfFit([12], [1])).toEqual({ statistic: 0, df: 0, pValue: 1 });
  });

  it('when inputs are malformed, then it throws a RangeError', () => {
    expect(() => chiSquareGoodnessOfFit([1, 2], [1])).toThrow(RangeError);
    expect(() => chiSquareGoodnessOfFit([1, -2], [0.5, 0.5])).toThrow(RangeError);
    expect(() => chiSquareGoodnessOfFit([1, 2], [0, 0])).toThrow(RangeError);
  });
});

describe('chiSquareSf', () => {
  it.each(fixture.survival)('when statistic = $statistic and df = $df, then it matches scipy.stats.chi2.sf', (c) => {
    expectClose(chiSquareSf(c.statistic, c.df), c.pValue, { rel: 1e-12 }, 'sf');
  });
});
