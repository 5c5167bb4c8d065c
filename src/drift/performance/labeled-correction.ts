import type { ConfidenceCalibration } from './calibration.js';
import { predictionCorrectness } from './correctness.js';
import type { LabelFreeEstimate } from './label-free.js';
import type { LabeledSignals, PredictionSignals } from './performance.types.js';

/** Labels a stratum needs before its mean residual replaces the label-free assumption. */
const MIN_STRATUM_LABELS = 8;

/** The label-free estimate corrected by labeled items, stratum by stratum. */
export interface CorrectedEstimate {
  mean: number;
  variance: number;
  systematic: number;
  /** Window share whose stratum and priority range the labels covered. */
  corrected: number;
}

// Strata follow what the queue selected on (OOD, k-NN disagreement, uncertainty), from finest
// to coarsest: within a stratum the labeled items are close to a sample of the window's.
const LEVELS: ((s: PredictionSignals) => string)[] = [
  (s) => `o${+s.isOod}a${+s.knnAgrees}u${+s.uncertain}`,
  (s) => `o${+s.isOod}a${+s.knnAgrees}`,
  (s) => `o${+s.isOod}`,
];

interface Residuals {
  n: number;
  sum: number;
  sumSq: number;
  /**
   * Lowest queue priority among the labeled items. The queue hands out the highest priorities
   * first, so below it the stratum's correction is an extrapolation.
   */
  minPriority: number;
}

/**
 * Stratified difference estimator (prediction-powered inference with strata): the window's
 * label-free mean plus, per stratum, the window share times the labeled items' mean of
 * (truth − label-free prediction). The queue picks uncertain and OOD items, so the raw labeled
 * accuracy is biased low; the residual within the stratum the queue drew from is not.
 */
export function correctWithLabels(
  cal: ConfidenceCalibration,
  window: readonly PredictionSignals[],
  free: LabelFreeEstimate,
  labeled: readonly LabeledSignals[],
  openSetShare?: number,
): CorrectedEstimate {
  const residuals = new Map<string, Residuals>();
  for (const l of labeled) {
    const r = (l.correct ? 1 : 0) - predictionCorrectness(cal, l, openSetShare).p;
    for (const level of LEVELS) {
      const key = level(l);
      const acc = residuals.get(key) ?? { n: 0, sum: 0, sumSq: 0, minPriority: Infinity };
      acc.minPriority = Math.min(acc.minPriority, l.priority);
      acc.n += 1;
      acc.sum += r;
      acc.sumSq += r * r;
      residuals.set(key, acc);
    }
  }
  const n = window.length;
  if (n === 0) return { mean: 0, variance: 0, systematic: 0, corrected: 0 };
  const used = new Map<string, { residuals: Residuals; count: number }>();
  let sum = 0;
  let bernoulli = 0;
  let systematic = 0;
  let uncorrected = 0;
  window.forEach((s, i) => {
    // The queue never takes confident, in-distribution, agreeing predictions: no label speaks for them.
    const queued = s.isOod || s.uncertain || !s.knnAgrees;
    const key = queued ? LEVELS.map((level) => level(s)).find((k) => (residuals.get(k)?.n ?? 0) >= MIN_STRATUM_LABELS) : undefined;
    const p = free.p[i]!;
    const r = key === undefined ? undefined : residuals.get(key)!;
    if (key === undefined || r === undefined) {
      sum += p;
      bernoulli += p * (1 - p);
      systematic += predictionCorrectness(cal, s, openSetShare).openSetRange;
      uncorrected += 1;
      return;
    }
    const d = r.sum / r.n;
    // Below the labeled priorities the correction is an extrapolation: take half of it, and
    // count the other half as a range (between no correction and the full one).
    const extrapolated = s.priority < r.minPriority;
    if (extrapolated) systematic += Math.abs(d) / 2;
    const q = clamp01(p + (extrapolated ? d / 2 : d));
    sum += q;
    bernoulli += q * (1 - q);
    const u = used.get(key) ?? { residuals: r, count: 0 };
    u.count += 1;
    used.set(key, u);
  });
  let strata = 0;
  for (const { residuals: r, count } of used.values()) {
    const mean = r.sum / r.n;
    // Sample variance of the residuals, floored so a stratum whose few labels all agree is not taken as exact.
    const variance = Math.max((r.sumSq - r.n * mean * mean) / (r.n - 1), 1 / (4 * r.n));
    strata += (count / n) ** 2 * (variance / r.n);
  }
  const freeCalibration = free.variance - sumBernoulli(free.p) / n ** 2;
  return {
    mean: clamp01(sum / n),
    variance: bernoulli / n ** 2 + strata + freeCalibration * (uncorrected / n) ** 2,
    systematic: systematic / n,
    corrected: 1 - uncorrected / n,
  };
}

function sumBernoulli(p: Float64Array): number {
  let s = 0;
  for (const x of p) s += x * (1 - x);
  return s;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
