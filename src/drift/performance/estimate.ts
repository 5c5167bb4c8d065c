import { normalQuantile } from '../stats/normal.js';
import type { ConfidenceCalibration } from './calibration.js';
import { correctWithLabels, type ResidualTable } from './labeled-correction.js';
import { labelFreeEstimate } from './label-free.js';
import type { LabeledSignals, PerformanceEstimate, PredictionSignals } from './performance.types.js';

/** Two-sided 90% normal quantile. */
const Z90 = normalQuantile(0.95);

/** Newest labeled production items the estimate reads: recent enough to describe current traffic. */
export const PERFORMANCE_LABELS = 2000;

const LABEL_FREE_METHOD = 'cbpe-knn-openset';
const WITH_LABELS_METHOD = 'cbpe-knn-openset+stratified-difference';

export interface EstimateInput {
  calibration: ConfidenceCalibration;
  /** Describes where the calibration came from, appended to the method name. */
  calibrationSource: string;
  window: readonly PredictionSignals[];
  labeled: readonly LabeledSignals[];
  openSetShare?: number;
  /** The labels' residual table under this calibration, when the caller kept it from an earlier call. */
  residuals?: ResidualTable;
}

/**
 * Accuracy of the window's forwarded top-1 predictions with a 90% interval: label-free from
 * calibrated scores, tightened by the labeled production items when they exist.
 */
export function estimatePerformance(input: EstimateInput): PerformanceEstimate {
  const { calibration: cal, window, labeled } = input;
  const free = labelFreeEstimate(cal, window, input.openSetShare);
  const withLabels = labeled.length > 0 ? correctWithLabels(cal, window, free, labeled, input.openSetShare, input.residuals) : undefined;
  const part = withLabels ?? free;
  const half = Z90 * Math.sqrt(part.variance) + part.systematic;
  const correct = labeled.filter((l) => l.correct).length;
  return {
    estimatedAccuracy: part.mean,
    interval: [Math.max(0, part.mean - half), Math.min(1, part.mean + half)],
    method: `${withLabels && withLabels.corrected > 0 ? WITH_LABELS_METHOD : LABEL_FREE_METHOD} (${input.calibrationSource})`,
    labeled: labeled.length > 0 ? { n: labeled.length, accuracy: correct / labeled.length } : null,
    reference: cal.size > 0 ? cal.reference : null,
  };
}
