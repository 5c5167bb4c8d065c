import { regularizedBeta } from '../stats/special.js';
import { averageRunLength, conformalOodRate, cusumLimit, cusumSteps, type CusumSteps } from './bernoulli-cusum.js';

/** What the sequential detector of a model runs with, derived from its settings and calibration size. */
export interface CusumDesign extends CusumSteps {
  /** In-distribution OOD probability promised by the calibration. */
  p0: number;
  /** The OOD rate the detector is tuned to catch fastest. */
  target: number;
  /** Requested and exact (Markov chain) in-distribution average run length at `limit`. */
  arl0: number;
  arl0Exact: number;
  /** Calibration points needed before the detector arms (see `minCalibrationSize`). */
  minCalibration: number;
}

/** Chance, over calibration draws, that the in-distribution ARL holds at least half of `arl0`. */
const CALIBRATION_CONFIDENCE = 0.9;
const TOLERATED_ARL_FACTOR = 0.5;

/** Designs and minimums kept at most: keyed by settings an admin may vary without end. */
const DESIGNS_KEPT = 1000;
const designs = new Map<string, CusumDesign>();

/** The detector for a model's OOD quantile, calibration size, `drift.arl0` and target rate (cached). */
export function cusumDesign(quantile: number, calibrationSize: number, arl0: number, target: number): CusumDesign {
  const key = `${quantile}:${calibrationSize}:${arl0}:${target}`;
  let design = designs.get(key);
  if (!design) {
    const p0 = conformalOodRate(quantile, calibrationSize);
    const steps = cusumSteps(p0, target);
    const { limit, arl0: arl0Exact } = cusumLimit(p0, steps, arl0);
    design = { p0, target, ...steps, limit, arl0, arl0Exact, minCalibration: minCalibrationSize(quantile, arl0, target) };
    if (designs.size >= DESIGNS_KEPT) designs.clear();
    designs.set(key, design);
  }
  return design;
}

/**
 * Conditional on its n calibration points, a new in-distribution point is OOD with probability
 * π ~ Beta(r, n + 1 − r), r = n − ⌈q·n⌉ + 1 (the uniform spacings above the calibration
 * quantile), not exactly p0. The CUSUM's false-alarm rate is steep in π, so the detector arms
 * only when, at the 90% quantile of π, its exact ARL is still at least half of `arl0`.
 */
export function calibrationHolds(quantile: number, n: number, arl0: number, target: number): boolean {
  if (n < 2) return false;
  const p0 = conformalOodRate(quantile, n);
  const steps = cusumSteps(p0, target);
  const { limit } = cusumLimit(p0, steps, arl0);
  const r = n - Math.ceil(quantile * n - 1e-9) + 1;
  const high = betaQuantile(CALIBRATION_CONFIDENCE, r, n + 1 - r);
  return averageRunLength(high, { ...steps, limit }) >= TOLERATED_ARL_FACTOR * arl0;
}

const minimums = new Map<string, number>();

/** The fewest calibration (eval) points for which `calibrationHolds`, to the nearest 10. */
export function minCalibrationSize(quantile: number, arl0: number, target: number): number {
  const key = `${quantile}:${arl0}:${target}`;
  const known = minimums.get(key);
  if (known !== undefined) return known;
  let hi = 10;
  while (!calibrationHolds(quantile, hi, arl0, target) && hi < 10_000_000) hi *= 2;
  let lo = Math.max(2, hi / 2);
  while (hi - lo > 10) {
    const mid = Math.round((lo + hi) / 2);
    if (calibrationHolds(quantile, mid, arl0, target)) hi = mid;
    else lo = mid;
  }
  const n = Math.ceil(hi / 10) * 10;
  if (minimums.size >= DESIGNS_KEPT) minimums.clear();
  minimums.set(key, n);
  return n;
}

/** x with I_x(a, b) = level, by bisection (monotone; 60 halvings reach double precision). */
export function betaQuantile(level: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (regularizedBeta(mid, a, b) < level) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
