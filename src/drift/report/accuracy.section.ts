import { html } from 'hono/html';
import type { DriftSnapshot } from '../drift.types.js';
import { timeSeriesChart } from './charts/time-series.chart.js';
import { COLORS } from './charts/scale.js';
import { formatPercent, formatTime } from './report.format.js';
import type { DriftReport } from './report.types.js';

const ESTIMATE = '#0d9488';
const LABELED = '#7c3aed';

/** Evaluations that carried an accuracy estimate, with the x of their window end. */
function estimated(history: DriftSnapshot[]) {
  return history.flatMap((h) => (h.performance && h.toSeq !== null ? [{ x: h.toSeq, at: h.at, p: h.performance }] : []));
}

/** Estimated accuracy over the stream: the estimate, its 90% band, the eval reference, the drop line and the labeled evidence. */
export function accuracySection(r: DriftReport) {
  const current = r.drift.performance;
  if (!current) return html`<div class="card"><h2>Estimated accuracy</h2><p class="muted">No predictions in the window yet.</p></div>`;
  const points = estimated(r.drift.history);
  const reference = current.reference;
  const drop = r.model.maxAccuracyDrop;
  const lows = points.map((p) => p.p.interval[0]);
  const rules = reference === null ? [] : [
    { y: reference, label: `eval reference ${formatPercent(reference)}`, color: COLORS.expected },
    { y: reference - drop, label: `reference − ${formatPercent(drop, 0)}`, color: COLORS.threshold },
  ];
  const chart = timeSeriesChart({
    title: 'Estimated accuracy of the forwarded predictions over the prediction stream',
    series: [{ name: 'estimated accuracy', color: ESTIMATE, points: points.map((p) => ({ x: p.x, y: p.p.estimatedAccuracy, note: `90% interval ${formatPercent(p.p.interval[0])}–${formatPercent(p.p.interval[1])} · ${formatTime(p.at)}` })) }],
    bands: [{ color: ESTIMATE, points: points.map((p) => ({ x: p.x, lo: p.p.interval[0], hi: p.p.interval[1] })) }],
    marks: labeledChanges(points).map((p) => ({ x: p.x, y: p.p.labeled!.accuracy, color: LABELED, label: `${p.p.labeled!.n} labels, raw accuracy ${formatPercent(p.p.labeled!.accuracy)} (queue-picked: biased low)` })),
    rules,
    yDomain: [Math.max(0, Math.floor(Math.min(1, ...lows, ...(reference === null ? [] : [reference - drop])) * 10) / 10 - 0.1), 1],
    yFormat: (v) => formatPercent(v, 0),
  });
  const verdict = reference !== null && current.interval[1] < reference - drop ? html`<strong class="bad">below the reference by more than ${formatPercent(drop, 0)}</strong>` : html`not shown to drop more than ${formatPercent(drop, 0)} below the reference`;
  return html`<div class="card" id="estimated-accuracy"><h2>Estimated accuracy <span class="muted">of the forwarded top-1 predictions, 90% band</span></h2>
<p>Now <strong>${formatPercent(current.estimatedAccuracy)}</strong> (${formatPercent(current.interval[0])}–${formatPercent(current.interval[1])})${reference === null ? ' — no eval reference yet: send eval examples with the app\u2019s scores' : html` vs ${formatPercent(reference)} expected from eval data: ${verdict}`}.
<span class="muted">Method ${current.method}; ${current.labeled ? `${current.labeled.n} labeled production items (raw accuracy ${formatPercent(current.labeled.accuracy)}, biased low because the queue picks hard items; the estimate corrects for that)` : 'no labeled production items yet'}.</span></p>
<div class="legend"><span><i style="background:${ESTIMATE}"></i>estimate and 90% band</span><span><i class="rule" style="border-color:${COLORS.expected}"></i>eval reference</span><span><i class="rule" style="border-color:${COLORS.threshold}"></i>reference − maxAccuracyDrop</span><span><i style="background:${LABELED}"></i>labeled (raw)</span></div>
${chart}</div>`;
}

/** Points where the labeled evidence changed, so the chart marks each new batch of labels once. */
function labeledChanges(points: ReturnType<typeof estimated>) {
  return points.filter((p, i) => p.p.labeled && p.p.labeled.n !== (points[i - 1]?.p.labeled?.n ?? 0));
}
