import { describe, expect, it } from 'vitest';
import {
  logGamma, regularizedBeta, regularizedBetaComplement, regularizedGammaP, regularizedGammaQ,
} from '../../../src/drift/stats/special.js';
import { expectClose, loadFixture } from './fixture.js';

interface GammaCase { a: number; x: number; p: number; q: number }
interface BetaCase { a: number; b: number; x: number; value: number; complement: number }

const fixture = loadFixture<{ gamma: GammaCase[]; beta: BetaCase[]; logGamma: { x: number; value: number }[] }>('special');
const REL = 1e-12;

describe(`special functions against ${fixture.source}`, () => {
  it.each(fixture.gamma)('when a = $a and x = $x, then P and Q match', (c) => {
    expectClose(regularizedGammaP(c.a, c.x), c.p, { rel: REL }, 'P');
    expectClose(regularizedGammaQ(c.a, c.x), c.q, { rel: REL }, 'Q');
  });

  it.each(fixture.beta)('when a = $a, b = $b, x = $x, then I_x(a, b) and its complement match', (c) => {
    expectClose(regularizedBeta(c.x, c.a, c.b), c.value, { rel: REL }, 'I');
    expectClose(regularizedBetaComplement(c.x, c.a, c.b), c.complement, { rel: REL }, '1 - I');
  });

  it.each(fixture.logGamma)('when x = $x, then logGamma matches', ({ x, value }) => {
    // Near the zeros of log Γ (x = 1, 2) only absolute accuracy is meaningful.
    expectClose(logGamma(x), value, { rel: 1e-14, abs: 1e-15 }, 'logGamma');
  });

  it('when arguments are outside the domain, then it throws a RangeError', () => {
    expect(() => regularizedGammaP(0, 1)).toThrow(RangeError);
    expect(() => regularizedGammaQ(1, -1)).toThrow(RangeError);
    expect(() => regularizedBeta(1.5, 1, 1)).toThrow(RangeError);
    expect(() => logGamma(-1)).toThrow(RangeError);
  });
});
