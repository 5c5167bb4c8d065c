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
// Numbered, not named: an evaluation looks up three strata per prediction.
// 0–7: OOD × agrees × uncertain; 8–11: OOD × agrees; 12–13: OOD.
const STRATA = 14;
function strata(s: PredictionSignals): [number, number, number] {
  const o = s.isOod ? 1 : 0;
  const a = s.knnAgrees ? 1 : 0;
  return [o * 4 + a * 2 + (s.uncertain ? 1 : 0), 8 + o * 2 + a, 12 + o];
}

/**
 * Per stratum, the labeled items' residuals (truth − label-free prediction). Depends only on
 * the calibration and the labels, so a caller may keep it while neither changes.
 */
export interface ResidualTable {
  n: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
  /**
   * Lowest queue priority among the labeled items. The queue hands out the highest priorities
   * first, so below it the stratum's correction is an extrapolation.
   */
  minPriority: Float64Array;
}

/** The residual table of `labeled` under `cal`. */
export function residualTable(cal: ConfidenceCalibration, labeled: readonly LabeledSignals[], openSetShare?: number): ResidualTable {
  const t: ResidualTable = { n: new Float64Array(STRATA), sum: new Float64Array(STRATA), sumSq: new Float64Array(STRATA), minPriority: new Float64Array(STRATA).fill(Infinity) };
  for (const l of labeled) {
    const r = (l.correct ? 1 : 0) - predictionCorrectness(cal, l, openSetShare).p;
    for (const k of strata(l)) {
      t.minPriority[k] = Math.min(t.minPriority[k]!, l.priority);
      t.n[k]! += 1;
      t.sum[k]! += r;
      t.sumSq[k]! += r * r;
    }
  }
  return t;
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
  table: ResidualTable = residualTable(cal, labeled, openSetShare),
): CorrectedEstimate {
  const n = window.length;
  if (n === 0) return { mean: 0, variance: 0, systematic: 0, corrected: 0 };
  const usedCount = new Float64Array(STRATA);
  let sum = 0;
  let bernoulli = 0;
  let systematic = 0;
  let uncorrected = 0;
  window.forEach((s, i) => {
    // The queue never takes confident, in-distribution, agreeing predictions: no label speaks for them.
    const queued = s.isOod || s.uncertain || !s.knnAgrees;
    const key = queued ? strata(s).find((k) => table.n[k]! >= MIN_STRATUM_LABELS) : undefined;
    const p = free.p[i]!;
    if (key === undefined) {
      sum += p;
      bernoulli += p * (1 - p);
      systematic += predictionCorrectness(cal, s, openSetShare).openSetRange;
      uncorrected += 1;
      return;
    }
    const d = table.sum[key]! / table.n[key]!;
    // Below the labeled priorities the correction is an extrapolation: take half of it, and
    // count the other half as a range (between no correction and the full one).
    const extrapolated = s.priority < table.minPriority[key]!;
    if (extrapolated) systematic += Math.abs(d) / 2;
    const q = clamp01(p + (extrapolated ? d / 2 : d));
    sum += q;
    bernoulli += q * (1 - q);
    usedCount[key]! += 1;
  });
  let strataVariance = 0;
  for (let k = 0; k < STRATA; k++) {
    const count = usedCount[k]!;
    if (count === 0) continue;
    const rn = table.n[k]!;
    const mean = table.sum[k]! / rn;
    // Sample variance of the residuals, floored so a stratum whose few labels all agree is not taken as exact.
    const variance = Math.max((table.sumSq[k]! - rn * mean * mean) / (rn - 1), 1 / (4 * rn));
    strataVariance += (count / n) ** 2 * (variance / rn);
  }
  const freeCalibration = free.variance - sumBernoulli(free.p) / n ** 2;
  return {
    mean: clamp01(sum / n),
    variance: bernoulli / n ** 2 + strataVariance + freeCalibration * (uncorrected / n) ** 2,
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
