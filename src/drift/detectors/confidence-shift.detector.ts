import type { ConfidenceReference } from '../confidence-reference.js';
import { ksTwoSample } from '../stats/index.js';
import type { DriftTestResult } from '../drift.types.js';
import { formatP, ran, skipped } from './outcome.js';

export interface ConfidenceShiftInput {
  /** Top-1 scores of the window's predictions. */
  production: readonly number[];
  /** The app's own top-1 scores on a reference (examples sent with scores, or the reference period). */
  reference: ConfidenceReference;
  alpha: number;
  /** Smallest KS distance that counts as drift. */
  minShift: number;
}

const MIN_SCORES = 20;

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** confidence_shift: two-sample Kolmogorov–Smirnov test of the app's top-1 scores against its own on a reference, gated by the KS distance. */
export function confidenceShiftTest(input: ConfidenceShiftInput): DriftTestResult {
  const { production, reference, alpha, minShift } = input;
  const { scores: baseline, source: baselineSource } = reference;
  if (reference.missing) return skipped('confidence_shift', reference.missing, { production: production.length, baseline: 0, baselineSource: null });
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
    summary: `Mean top-1 confidence ${prodMean.toFixed(3)} in production vs ${baseMean.toFixed(3)} on ${baselineSource} (KS D = ${r.statistic.toFixed(3)}, ${formatP(r.pValue)}).`,
    details: { productionMean: prodMean, baselineMean: baseMean, production: production.length, baseline: baseline.length, baselineSource },
  });
}
