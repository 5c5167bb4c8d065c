import { describe, expect, it } from 'vitest';
import { kolmogorovSf } from '../../../src/drift/stats/kolmogorov.js';
import { ksTwoSample } from '../../../src/drift/stats/ks.js';
import { smirnovSf } from '../../../src/drift/stats/smirnov.js';
import { expectClose, loadFixture } from './fixture.js';

interface TwoSampleCase { a: number[]; b: number[]; statistic: number; pValue: number; note: string }
interface GridCase { n: number; x: number; sf: number }

const fixture = loadFixture<{ twoSample: TwoSampleCase[]; kolmogorovSf: GridCase[]; smirnovSf: GridCase[] }>('ks');
// Same algorithms as scipy region by region (Pelz–Good included), so even the asymptotic
// regions agree to rounding; the widest gap, 4e-13, is where scipy uses Pomeranz's exact
// recursion and we use the exact Durbin matrix.
const REL = 1e-11;

describe(`ksTwoSample against ${fixture.source}`, () => {
  it.each(fixture.twoSample)('when $note, then statistic and p-value match ks_2samp(method="asymp")', (c) => {
    const result = ksTwoSample(c.a, c.b);
    expect(result.statistic).toBe(c.statistic);
    expectClose(result.pValue, c.pValue, { rel: REL }, c.note);
  });

  it('when the samples are swapped, then the result is the same', () => {
    const { a, b } = fixture.twoSample[3];
    expect(ksTwoSample(b, a)).toEqual(ksTwoSample(a, b));
  });

  it('when both samples are identical, then the statistic is 0 and the p-value 1', () => {
    expect(ksTwoSample([0.2, 0.5, 0.5, 0.9], [0.9, 0.5, 0.2, 0.5])).toEqual({ statistic: 0, pValue: 1 });
  });

  it('when each sample has a single point, then the p-value is 1 (scipy returns NaN there)', () => {
    expect(ksTwoSample([1], [2])).toEqual({ statistic: 1, pValue: 1 });
  });

  it('when a sample is empty or holds NaN, then it throws a RangeError', () => {
    expect(() => ksTwoSample([], [1])).toThrow(RangeError);
    expect(() => ksTwoSample([1, Number.NaN], [1])).toThrow(RangeError);
  });
});

describe('kolmogorovSf', () => {
  it.each(fixture.kolmogorovSf)('when n = $n and x = $x, then it matches scipy.stats.kstwo.sf', (c) => {
    expectClose(kolmogorovSf(c.n, c.x), c.sf, { rel: REL }, `n=${c.n} x=${c.x}`);
  });
});

describe('smirnovSf', () => {
  it.each(fixture.smirnovSf)('when n = $n and x = $x, then it matches scipy.special.smirnov', (c) => {
    expectClose(smirnovSf(c.n, c.x), c.sf, { rel: REL }, `n=${c.n} x=${c.x}`);
  });
});
