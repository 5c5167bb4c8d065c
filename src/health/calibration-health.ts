import { minCalibrationSize } from '../drift/sequential/cusum-design.js';
import type { Model } from '../models/model.js';
import type { CalibrationHealth } from './health.types.js';

/** Whether the eval split is large enough for the sequential drift detector's false-alarm rate to hold. */
export function calibrationHealth(model: Model, cal: { source: 'eval' | 'leave-one-out'; size: number }): CalibrationHealth {
  const { ood, drift } = model.settings;
  const required = minCalibrationSize(ood.quantile, drift.arl0, drift.sequentialTarget);
  const armed = cal.source === 'eval' && cal.size >= required;
  const have = cal.source === 'eval' ? `${cal.size} eval examples calibrate the OOD score` : `the eval split is too small to calibrate on (leave-one-out on ${cal.size} train examples)`;
  const message = armed
    ? `${have}; the sequential drift detector is armed (needs ${required}).`
    : `${have}; the sequential drift detector stays unarmed until ${required} eval examples exist (only the window rule detects drift until then).`;
  return { source: cal.source, size: cal.size, sequentialDetector: { armed, required, message } };
}
