import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialPmf, binomialSf, binomialTestGreater } from '../../../src/drift/stats/binomial.js';
import { expectClose, loadFixture } from './fixture.js';

interface TestCase { successes: number; n: number; p0: number; pValue: number; note: string }
interface DistributionCase { k: number; n: number; p: number; pmf: number; cdf: number; sf: number }

const fixture = loadFixture<{ testGreater: TestCase[]; distribution: DistributionCase[] }>('binomial');
// Exact algorithm (saddle-point prefactor + continued fraction): observed error ≤ 2e-13.
const REL = 1e-11;

describe(`binomialTestGreater against ${fixture.source}`, () => {
  it.each(fixture.testGreater)('when $note ($successes of $n at p0 = $p0), then the p-value matches scipy', (c) => {
    expectClose(binomialTestGreater(c.successes, c.n, c.p0), c.pValue, { rel: REL }, c.note);
  });

  it('when the p-value is in the 1e-30 range, then it keeps its relative precision', () => {
    const tiny = fixture.testGreater.filter((c) => c.pValue < 1e-25 && c.pValue > 0);
    expect(tiny.length).toBeGreaterThan(2);
    for (const c of tiny) expectClose(binomialTestGreater(c.successes, c.n, c.p0), c.pValue, { rel: REL }, c.note);
  });

  it('when the count is impossible, then it throws a RangeError', () => {
    expect(() => binomialTestGreater(11, 10, 0.5)).toThrow(RangeError);
    expect(() => binomialTestGreater(2.5, 10, 0.5)).toThrow(RangeError);
    expect(() => binomialTestGreater(1, 10, 1.5)).toThrow(RangeError);
    expect(() => binomialTestGreater(0, -1, 0.5)).toThrow(RangeError);
  });
});

describe('binomialPmf, binomialCdf, binomialSf', () => {
  it.each(fixture.distribution)('when k = $k, n = $n, p = $p, then pmf, cdf and sf match scipy', (c) => {
    expectClose(binomialPmf(c.k, c.n, c.p), c.pmf, { rel: REL }, 'pmf');
    expectClose(binomialCdf(c.k, c.n, c.p), c.cdf, { rel: REL }, 'cdf');
    expectClose(binomialSf(c.k, c.n, c.p), c.sf, { rel: REL }, 'sf');
  });

  it('when k is outside 0..n, then cdf and sf saturate', () => {
    expect(binomialCdf(-1, 10, 0.3)).toBe(0);
    expect(binomialCdf(10, 10, 0.3)).toBe(1);
    expect(binomialSf(-1, 10, 0.3)).toBe(1);
    expect(binomialSf(10, 10, 0.3)).toBe(0);
    expect(binomialPmf(11, 10, 0.3)).toBe(0);
  });
});
