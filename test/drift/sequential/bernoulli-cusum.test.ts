import { describe, expect, it } from 'vitest';
import { averageRunLength, conformalOodRate, cusumLimit, cusumStep, cusumSteps, type CusumSteps } from '../../../src/drift/sequential/bernoulli-cusum.js';
import { betaQuantile, calibrationHolds, cusumDesign, minCalibrationSize } from '../../../src/drift/sequential/cusum-design.js';
import { mulberry32 } from '../../../src/util/random.js';

/** Alarms of the integer CUSUM over `flags`, restarted at 0 after each alarm. */
function countAlarms(flags: Uint8Array, steps: CusumSteps): number {
  let s = 0;
  let alarms = 0;
  for (let i = 0; i < flags.length; i++) {
    s = cusumStep(s, flags[i] === 1, steps);
    if (s >= steps.limit) {
      alarms++;
      s = 0;
    }
  }
  return alarms;
}

/** OOD flags of `count` in-distribution predictions: the conformal rank is uniform on 0…n. */
function inDistributionFlags(count: number, n: number, quantile: number, seed: number): Uint8Array {
  const random = mulberry32(seed);
  const flags = new Uint8Array(count);
  for (let i = 0; i < count; i++) flags[i] = Math.floor(random() * (n + 1)) / n >= quantile ? 1 : 0;
  return flags;
}

describe('Bernoulli CUSUM: exact run lengths', () => {
  it('when the chain is tiny, then the run length matches the closed forms', () => {
    const p = 0.3;
    expect(averageRunLength(p, { up: 1, down: 1, limit: 1 })).toBeCloseTo(1 / p, 10);
    // L0 = 1 + p·L1 + (1−p)·L0 and L1 = 1 + (1−p)·L0 give L0 = (1 + p) / p².
    expect(averageRunLength(p, { up: 1, down: 1, limit: 2 })).toBeCloseTo((1 + p) / (p * p), 10);
  });

  it('when compared with a dense numpy solve of (I − Q)·L = 1, then the banded solve agrees to 1e-9', () => {
    // numpy.linalg.solve on the full 165×165 chain (values computed outside this repository).
    const steps = { up: 36, down: 8, limit: 165 };
    expect(Math.abs(averageRunLength(53 / 1051, steps) / 110655.92255597643 - 1)).toBeLessThan(1e-9);
    expect(Math.abs(averageRunLength(0.4, steps) / 17.44579896383146 - 1)).toBeLessThan(1e-9);
    expect(Math.abs(averageRunLength(0.1, steps) / 2014.7629934597062 - 1)).toBeLessThan(1e-9);
  });

  it('when the calibration has n points, then p0 is the exact conformal OOD probability', () => {
    expect(conformalOodRate(0.95, 1050)).toBeCloseTo(53 / 1051, 15);
    expect(conformalOodRate(0.95, 20)).toBeCloseTo(2 / 21, 15);
    expect(conformalOodRate(0.95, 0)).toBeCloseTo(0.05, 15);
  });

  it('when the limit is derived from arl0, then it is the smallest limit whose exact ARL reaches arl0', () => {
    const p0 = conformalOodRate(0.95, 1890);
    const steps = cusumSteps(p0, 0.4);
    expect(steps).toEqual({ up: 36, down: 8 });
    const { limit, arl0 } = cusumLimit(p0, steps, 100_000);
    expect(arl0).toBeGreaterThanOrEqual(100_000);
    expect(averageRunLength(p0, { ...steps, limit: limit - 1 })).toBeLessThan(100_000);
  });

  it('when Beta quantiles are computed, then they match scipy.stats.beta.ppf', () => {
    expect(betaQuantile(0.9, 53, 998)).toBeCloseTo(0.059239912461142505, 10);
    expect(betaQuantile(0.9, 95, 1796)).toBeCloseTo(0.056768193177619, 10);
    expect(betaQuantile(0.5, 2, 3)).toBeCloseTo(0.3857275681323895, 10);
  });

  it('when the eval split is small, then the detector does not arm; from the derived size on it does', () => {
    const required = minCalibrationSize(0.95, 100_000, 0.4);
    expect(required).toBe(1610);
    expect(calibrationHolds(0.95, 840, 100_000, 0.4)).toBe(false);
    expect(calibrationHolds(0.95, required, 100_000, 0.4)).toBe(true);
    expect(minCalibrationSize(0.95, 1000, 0.4)).toBeLessThan(required);
  });
});

describe('Bernoulli CUSUM: simulated streams', () => {
  // Renewal count over N steps: mean N/ARL, variance about N·σ²/ARL³ ≤ N/ARL (σ ≤ ARL for these run lengths).
  const withinSamplingError = (alarms: number, expected: number) => expect(Math.abs(alarms - expected)).toBeLessThan(4 * Math.sqrt(expected) + 1);

  it('when 1,000,000 in-distribution p-values stream in at the default arl0, then false alarms match arl0 within sampling error', () => {
    const design = cusumDesign(0.95, 1890, 100_000, 0.4);
    const flags = inDistributionFlags(1_000_000, 1890, 0.95, 100_000);
    withinSamplingError(countAlarms(flags, design), flags.length / design.arl0Exact);
  });

  it('when 10,000,000 in-distribution p-values stream in at arl0 1000, then ~8,500 false alarms match the exact ARL to a few percent', () => {
    const design = cusumDesign(0.95, 1890, 1000, 0.4);
    const flags = inDistributionFlags(10_000_000, 1890, 0.95, 1000);
    withinSamplingError(countAlarms(flags, design), flags.length / design.arl0Exact);
  });

  it('when the OOD rate jumps from 5% to 40%, then the median delay is below 40 predictions', () => {
    const design = cusumDesign(0.95, 1890, 100_000, 0.4);
    const random = mulberry32(16);
    const delays: number[] = [];
    for (let run = 0; run < 2000; run++) {
      let s = 0;
      let falseAlarm = false;
      // 500 in-distribution predictions first, so the change meets the statistic where it usually sits.
      for (let i = 0; i < 500; i++) {
        s = cusumStep(s, random() < design.p0, design);
        if (s >= design.limit) falseAlarm = true;
      }
      if (falseAlarm) continue;
      let delay = 0;
      do {
        delay++;
        s = cusumStep(s, random() < 0.4, design);
      } while (s < design.limit);
      delays.push(delay);
    }
    delays.sort((a, b) => a - b);
    const median = delays[delays.length >> 1]!;
    expect(delays.length).toBeGreaterThan(1990);
    expect(median).toBeLessThan(40);
    // The exact chain says 17.4 on average from 0; the simulated mean agrees.
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(Math.abs(mean - averageRunLength(0.4, design))).toBeLessThan(1.5);
  });
});
