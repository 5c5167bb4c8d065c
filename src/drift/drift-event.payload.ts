import type { Model } from '../models/model.js';
import type { DriftEvaluation, DriftEventKind } from './drift.types.js';
import type { RegionsSection } from './report/report.types.js';

export const DRIFT_EVENT_TYPE = 'drift.detected';

/** Regions named in a drift event: the largest new regions, each with a few example prediction ids. */
const EVENT_REGIONS = 3;

/** Turns a path into the link a receiver can follow: absolute under `publicUrl` (DRIFTLOOP_PUBLIC_URL), else relative. */
function linkTo(publicUrl: string | undefined, path: string): string {
  return publicUrl ? `${publicUrl}${path}` : path;
}

/** What an event's payload adds to the evaluation: the new regions, and the base URL for absolute links. */
export interface EventContext {
  regions: RegionsSection;
  publicUrl: string | undefined;
}

/** The links of an event: absolute under DRIFTLOOP_PUBLIC_URL. */
export function eventLinks(model: Model, publicUrl: string | undefined) {
  const name = encodeURIComponent(model.name);
  return {
    report: linkTo(publicUrl, `/ui/models/${name}/report`),
    drift: linkTo(publicUrl, `/v1/models/${name}/drift`),
    dashboard: linkTo(publicUrl, '/'),
  };
}

/** The largest new regions, each with its most typical prediction ids. */
export function eventRegions(regions: RegionsSection) {
  return regions.regions.slice(0, EVENT_REGIONS).map((r) => ({
    id: r.id,
    size: r.size,
    share: r.share,
    nearestConcept: r.nearestConcept,
    examples: r.examples.map((e) => e.predictionId),
  }));
}

/** The JSON body of a drift event's webhook POST. */
export function driftEventPayload(model: Model, eventId: number, kind: DriftEventKind, ev: DriftEvaluation, context: EventContext) {
  const links = eventLinks(model, context.publicUrl);
  const regions = eventRegions(context.regions);
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
    regions,
    text: eventText(model.name, kind, ev, regions.length, links.report),
    links,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One plain-text line for chat tools (Slack, Teams, Mattermost): what happened, how much, where to look. */
function eventText(model: string, kind: DriftEventKind, ev: DriftEvaluation, regions: number, report: string): string {
  const also = ev.tests.filter((t) => t.drift && t.name !== 'ood_rate').map((t) => t.name.replace(/_/g, ' '));
  const what =
    kind === 'performance'
      ? `estimated accuracy dropped`
      : `${pct(ev.score)} of the last ${ev.window.count} predictions are out of distribution (threshold ${pct(ev.threshold)})`;
  const extra = [also.length > 0 ? `also shifted: ${also.join(', ')}` : '', regions > 0 ? `${regions} new region${regions === 1 ? '' : 's'}` : ''].filter(Boolean).join('; ');
  return `driftloop: ${kind} drift on model ${model}: ${what}${extra ? `; ${extra}` : ''}. Report: ${report}`;
}
