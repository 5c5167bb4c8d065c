import { calibrationLaw, MAX_RATE_FACTOR, recommendedCalibrationSize } from '../reference/calibration-law.js';
import type { HealthCheck } from './health.types.js';

/**
 * calibration_size: whether the eval split is large enough for `ood.quantile`. With n
 * calibration points the false-alarm rate of `isOod` is itself random (Beta over calibration
 * draws), so a small eval split makes "5% flagged in distribution" anything from 3% to 10%.
 */
export function calibrationSizeCheck(calibration: { source: 'eval' | 'leave-one-out'; size: number }, quantile: number): HealthCheck {
  const nominal = 1 - quantile;
  const recommended = recommendedCalibrationSize(quantile);
  const details = { source: calibration.source, size: calibration.size, quantile, nominalRate: nominal, expectedRate: null as number | null, low: null as number | null, high: null as number | null, recommended };
  if (calibration.size === 0) {
    return { name: 'calibration_size', status: 'ok', message: `No examples yet: nothing is calibrated. Plan ${recommended} or more eval examples for ood.quantile ${quantile}.`, details };
  }
  const law = calibrationLaw(quantile, calibration.size);
  Object.assign(details, { expectedRate: law.expected, low: law.range[0], high: law.range[1] });
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const spread = `the false-alarm rate of isOod is ${pct(law.expected)} on average, ${pct(law.range[0])}–${pct(law.range[1])} over 90% of calibration draws (nominal ${pct(nominal)})`;
  const what = calibration.source === 'eval' ? `${calibration.size} eval examples` : `${calibration.size} leave-one-out train distances (the eval split is below ood.minCalibration)`;
  const small = law.range[1] > MAX_RATE_FACTOR * nominal;
  if (small || calibration.source === 'leave-one-out') {
    return {
      name: 'calibration_size',
      status: 'warn',
      message: `The OOD calibration uses ${what}: ${spread}. Add eval examples: ${recommended} or more keep it under ${pct(MAX_RATE_FACTOR * nominal)} for ood.quantile ${quantile}. ood_rate's p-value accounts for the calibration size.`,
      details,
    };
  }
  return { name: 'calibration_size', status: 'ok', message: `The OOD calibration uses ${what}: ${spread}.`, details };
}
