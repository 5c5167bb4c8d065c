import type { Model } from '../../models/model.js';
import { ConfidenceCalibration } from './calibration.js';
import { estimatePerformance } from './estimate.js';
import type { CalibrationSource, LabeledSignals, PerformanceEstimate, PredictionSignals } from './performance.types.js';

/**
 * The `performance` part of a drift evaluation. Keeps the last fitted calibration per model
 * (refitted when its source changes), so an evaluation costs one pass over the window.
 */
export class PerformanceAssessor {
  private readonly fitted = new Map<number, { key: string; calibration: ConfidenceCalibration }>();

  assess(model: Model, window: readonly PredictionSignals[], source: CalibrationSource | undefined, labeled: readonly LabeledSignals[]): PerformanceEstimate | null {
    if (window.length === 0) return null;
    return estimatePerformance({
      calibration: this.calibration(model.id, source),
      calibrationSource: source?.source ?? 'uncalibrated: scores taken at face value',
      window,
      labeled,
    });
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
