import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../../src/drift/stats/normal.js';
import { wilsonInterval } from '../../../src/drift/stats/wilson.js';
import { expectClose, loadFixture } from './fixture.js';

interface IntervalCase { successes: number; n: number; confidence: number; lower: number; upper: number; center: number }

const fixture = loadFixture<{ intervals: IntervalCase[]; normalQuantile: { p: number; value: number }[] }>('wilson');

describe(`wilsonInterval against ${fixture.source}`, () => {
  it.each(fixture.intervals)('when $successes of $n at confidence $confidence, then the interval matches', (c) => {
    const interval = wilsonInterval(c.successes, c.n, c.confidence);
    expectClose(interval.lower, c.lower, { abs: 1e-14 }, 'lower');
    expectClose(interval.upper, c.upper, { abs: 1e-14 }, 'upper');
    expectClose(interval.center, c.center, { abs: 1e-14 }, 'center');
  });

  it('when nothing was observed, then the interval is all of [0, 1]', () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1, center: 0.5 });
  });

  it('when the confidence rises, then the interval widens around the same proportion', () => {
    const narrow = wilsonInterval(30, 100, 0.9);
    const wide = wilsonInterval(30, 100, 0.99);
    expect(wide.lower).toBeLessThan(narrow.lower);
    expect(wide.upper).toBeGreaterThan(narrow.upper);
    expect(narrow.lower).toBeLessThan(0.3);
    expect(narrow.upper).toBeGreaterThan(0.3);
  });

  it('when inputs are invalid, then it throws a RangeError', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 4, 1)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 4.5)).toThrow(RangeError);
  });
});

describe('normalQuantile', () => {
  it.each(fixture.normalQuantile)('when p = $p, then it matches scipy.stats.norm.ppf', ({ p, value }) => {
    expectClose(normalQuantile(p), value, { rel: 1e-14 }, `p=${p}`);
  });

  it('when p is 0 or 1, then it returns the infinite quantiles', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(() => normalQuantile(1.1)).toThrow(RangeError);
  });
});
