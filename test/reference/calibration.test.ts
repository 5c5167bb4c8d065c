import { describe, expect, it } from 'vitest';
import { Calibration, lowerBound } from '../../src/reference/calibration.js';

describe('conformal calibration', () => {
  it('when distances 1..100 calibrate, then a distance is scored by the share strictly below it', () => {
    const cal = new Calibration();
    for (let i = 1; i <= 100; i++) cal.set(i, i);
    expect(cal.percentile(0.5)).toBe(0);
    expect(cal.percentile(50)).toBe(0.49);
    expect(cal.percentile(95.5)).toBe(0.95);
    expect(cal.percentile(1000)).toBe(1);
    expect(cal.quantile(0.95)).toBe(95);
  });

  it('when a point’s distance is replaced, then the percentile follows', () => {
    const cal = new Calibration();
    cal.set(1, 1);
    cal.set(2, 2);
    expect(cal.percentile(1.5)).toBe(0.5);
    cal.set(2, 1.2);
    expect(cal.percentile(1.5)).toBe(1);
    expect(cal.size).toBe(2);
  });

  it('when searching a sorted array, then lowerBound finds the first element not below x', () => {
    expect(lowerBound([1, 2, 2, 3], 2)).toBe(1);
    expect(lowerBound([1, 2, 2, 3], 4)).toBe(4);
    expect(lowerBound([], 1)).toBe(0);
  });
});
