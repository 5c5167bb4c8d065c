import type { Model } from '../models/model.js';
import type { DriftEvaluation, DriftEventKind } from './drift.types.js';

export const DRIFT_EVENT_TYPE = 'drift.detected';

/** The JSON body of a drift event's webhook POST. */
export function driftEventPayload(model: Model, eventId: number, kind: DriftEventKind, ev: DriftEvaluation) {
  const name = encodeURIComponent(model.name);
  return {
    type: DRIFT_EVENT_TYPE,
    eventId,
    kind,
    model: model.name,
    detectedAt: ev.evaluatedAt,
    status: ev.status,
    score: ev.score,
    threshold: ev.threshold,
    alpha: ev.alpha,
    window: ev.window,
    sequential: { state: ev.sequential.state, alarmed: ev.sequential.alarmed, statistic: ev.sequential.statistic, limit: ev.sequential.limit, alarm: ev.sequential.alarm },
    tests: ev.tests.map(({ name: test, status, statistic, pValue, drift, summary }) => ({ name: test, status, statistic, pValue, drift, summary })),
    links: { report: `/ui/models/${name}/report`, drift: `/v1/models/${name}/drift` },
  };
}
