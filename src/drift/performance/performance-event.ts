import type { Model } from '../../models/model.js';
import { DRIFT_EVENT_TYPE, eventLinks, eventRegions, type EventContext } from '../drift-event.payload.js';
import type { DriftEvaluation } from '../drift.types.js';
import type { PerformanceEstimate } from './performance.types.js';

/**
 * Stored as a performance event's p-value: the event fires when the 90% interval's upper end
 * (a one-sided 95% bound) lies below the threshold.
 */
export const PERFORMANCE_EVENT_LEVEL = 0.05;

/** An estimate whose whole interval lies more than `drift.maxAccuracyDrop` below its reference. */
export interface AccuracyDrop {
  estimate: PerformanceEstimate;
  reference: number;
  /** reference − maxAccuracyDrop: the interval lies entirely below it. */
  threshold: number;
}

/** The drop that raises a `performance` event, or undefined (no estimate, no reference, or within bounds). */
export function accuracyDropped(model: Model, estimate: PerformanceEstimate | null): AccuracyDrop | undefined {
  if (!estimate || estimate.reference === null) return undefined;
  const threshold = estimate.reference - model.settings.drift.maxAccuracyDrop;
  return estimate.interval[1] < threshold ? { estimate, reference: estimate.reference, threshold } : undefined;
}

/** The JSON body of a performance event's webhook POST. */
export function performanceEventPayload(model: Model, eventId: number, ev: DriftEvaluation, drop: AccuracyDrop, context: EventContext) {
  const links = eventLinks(model, context.publicUrl);
  const summary = `Estimated accuracy ${pct(drop.estimate.estimatedAccuracy)} (90% interval ${pct(drop.estimate.interval[0])}–${pct(drop.estimate.interval[1])}) is more than ${pct(model.settings.drift.maxAccuracyDrop)} below the ${pct(drop.reference)} expected from eval data.`;
  return {
    type: DRIFT_EVENT_TYPE,
    eventId,
    kind: 'performance' as const,
    severity: 'critical' as const,
    model: model.name,
    detectedAt: ev.evaluatedAt,
    performance: drop.estimate,
    reference: drop.reference,
    maxAccuracyDrop: model.settings.drift.maxAccuracyDrop,
    threshold: drop.threshold,
    drop: drop.reference - drop.estimate.estimatedAccuracy,
    window: ev.window,
    summary,
    regions: eventRegions(context.regions),
    text: `driftloop: performance drift on model ${model.name}: ${summary} Report: ${links.report}`,
    links,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
