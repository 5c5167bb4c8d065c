import { describe, expect, it } from 'vitest';
import { betaBinomialSfAtLeast, betaQuantile } from '../../../src/drift/stats/beta-binomial.js';
import { binomialTestGreater } from '../../../src/drift/stats/binomial.js';
import { expectClose, loadFixture } from './fixture.js';

interface SfCase { k: number; n: number; a: number; b: number; sf: number }
interface QuantileCase { p: number; a: number; b: number; x: number }
const fixture = loadFixture<{ sf: SfCase[]; quantiles: QuantileCase[] }>('beta-binomial');

describe(`beta-binomial against ${fixture.source}`, () => {
  it.each(fixture.sf)('when P(X ≥ $k) for BetaBinomial($n, $a, $b), then it matches scipy', (c) => {
    expectClose(betaBinomialSfAtLeast(c.k, c.n, c.a, c.b), c.sf, { rel: 1e-8, abs: 1e-13 }, `k=${c.k}`);
  });

  it.each(fixture.quantiles)('when the $p-quantile of Beta($a, $b) is asked, then it matches scipy', (c) => {
    expectClose(betaQuantile(c.p, c.a, c.b), c.x, { rel: 1e-10, abs: 1e-14 });
  });

  it('when the Beta is very concentrated, then the beta-binomial tends to the binomial', () => {
    // p ~ Beta(5e5, 9.5e6) is 0.05 ± 7e-5: a calibration set of ten million points.
    expectClose(betaBinomialSfAtLeast(40, 500, 5e5, 9.5e6), binomialTestGreater(40, 500, 0.05), { rel: 1e-3 });
  });

  it('when the arguments are impossible, then it throws a RangeError', () => {
    expect(() => betaBinomialSfAtLeast(1, -1, 1, 1)).toThrow(RangeError);
    expect(() => betaBinomialSfAtLeast(1, 10, 0, 1)).toThrow(RangeError);
  });
});
