import type { DriftSnapshot } from '../drift/drift.types.js';
import type { PerformanceEstimate } from '../drift/performance/performance.types.js';

/** Evaluations the trend looks back over. */
export const TREND_SNAPSHOTS = 20;

/** The current accuracy estimate and its change over the recent evaluations. */
export interface AccuracyTrend {
  current: PerformanceEstimate;
  /** Current estimate minus the oldest one among the recent evaluations; null with only one. */
  change: number | null;
}

/** The trend of the estimated accuracy over `history` (oldest first); undefined without any estimate. */
export function accuracyTrend(history: DriftSnapshot[]): AccuracyTrend | undefined {
  const estimates = history.flatMap((h) => (h.performance ? [h.performance] : []));
  const current = estimates.at(-1);
  if (!current) return undefined;
  return { current, change: estimates.length > 1 ? current.estimatedAccuracy - estimates[0]!.estimatedAccuracy : null };
}
