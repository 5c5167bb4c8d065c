import type { Model } from '../../models/model.js';
import { ConfidenceCalibration } from './calibration.js';
import { estimatePerformance } from './estimate.js';
import { labelFreeEstimate } from './label-free.js';
import { residualTable, type ResidualTable } from './labeled-correction.js';
import type { CalibrationSource, LabeledSignals, PerformanceEstimate, PredictionSignals } from './performance.types.js';

/**
 * The `performance` part of a drift evaluation. Keeps the last fitted calibration per model
 * (refitted when its source changes), and the labels' residuals under it (recomputed when the
 * labels or the calibration change), so an evaluation costs one pass over the window.
 */
export class PerformanceAssessor {
  private readonly fitted = new Map<number, { key: string; calibration: ConfidenceCalibration }>();
  private readonly residuals = new Map<number, { labeled: readonly LabeledSignals[]; calibration: ConfidenceCalibration; table: ResidualTable }>();

  assess(model: Model, window: readonly PredictionSignals[], source: CalibrationSource | undefined, labeled: readonly LabeledSignals[]): PerformanceEstimate | null {
    if (window.length === 0) return null;
    const calibration = this.calibration(model.id, source);
    return estimatePerformance({
      calibration,
      calibrationSource: source?.source ?? 'uncalibrated: scores taken at face value',
      window,
      labeled,
      residuals: this.residualTable(model.id, calibration, labeled),
    });
  }

  /** Per prediction, the label-free probability that its forwarded top-1 is right (regions rank by it). */
  correctness(model: Model, window: readonly PredictionSignals[], source: CalibrationSource | undefined): Float64Array {
    return labelFreeEstimate(this.calibration(model.id, source), window).p;
  }

  // The labels provider hands back the same array until a label is stored, so identity is the key.
  private residualTable(modelId: number, calibration: ConfidenceCalibration, labeled: readonly LabeledSignals[]): ResidualTable {
    const kept = this.residuals.get(modelId);
    if (kept && kept.labeled === labeled && kept.calibration === calibration) return kept.table;
    const table = residualTable(calibration, labeled);
    this.residuals.set(modelId, { labeled, calibration, table });
    return table;
  }

  private calibration(modelId: number, source: CalibrationSource | undefined): ConfidenceCalibration {
    if (!source) return ConfidenceCalibration.fit([]);
    const key = `${source.kind}:${source.source}:${source.kind === 'pairs' ? source.pairs.length : `${source.size}:${source.accuracy}:${source.meanScore}`}`;
    const cached = this.fitted.get(modelId);
    if (cached?.key === key) return cached.calibration;
    const calibration = source.kind === 'pairs' ? ConfidenceCalibration.fit(source.pairs) : ConfidenceCalibration.fromSummary(source.accuracy, source.meanScore, source.size);
    this.fitted.set(modelId, { key, calibration });
    return calibration;
  }
}
