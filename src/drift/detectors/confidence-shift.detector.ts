import { ksTwoSample } from '../stats/index.js';
import type { DriftTestResult } from '../drift.types.js';
import { formatP, ran, skipped } from './outcome.js';

export interface ConfidenceShiftInput {
  /** Top-1 scores of the window's predictions. */
  production: readonly number[];
  /** Top-1 scores of the baseline (champion on eval data, or the clean baseline). */
  baseline: readonly number[];
  baselineSource: string;
  alpha: number;
  /** Smallest KS distance that counts as drift. */
  minShift: number;
}

const MIN_SCORES = 20;

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** confidence_shift: two-sample Kolmogorov–Smirnov test of top-1 scores, gated by the KS distance. */
export function confidenceShiftTest(input: ConfidenceShiftInput): DriftTestResult {
  const { production, baseline, baselineSource, alpha, minShift } = input;
  if (production.length < MIN_SCORES || baseline.length < MIN_SCORES) {
    return skipped('confidence_shift', `Needs at least ${MIN_SCORES} production and ${MIN_SCORES} baseline scores.`, {
      production: production.length,
      baseline: baseline.length,
      baselineSource,
    });
  }
  const r = ksTwoSample(production, baseline);
  const drift = r.pValue < alpha && r.statistic >= minShift;
  const prodMean = mean(production);
  const baseMean = mean(baseline);
  return ran('confidence_shift', {
    statistic: r.statistic,
    pValue: r.pValue,
    effect: r.statistic,
    drift,
    summary: `Mean top-1 confidence ${prodMean.toFixed(3)} in production vs ${baseMean.toFixed(3)} on the ${baselineSource} (KS D = ${r.statistic.toFixed(3)}, ${formatP(r.pValue)}).`,
    details: { productionMean: prodMean, baselineMean: baseMean, production: production.length, baseline: baseline.length, baselineSource },
  });
}
