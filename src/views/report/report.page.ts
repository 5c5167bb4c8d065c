import { html, raw } from 'hono/html';
import { layout, type PageVia } from '../layout.js';
import { COLORS } from './charts/scale.js';
import { conceptMixChart } from './charts/concept-mix.chart.js';
import { histogramChart } from './charts/histogram.chart.js';
import { timeSeriesChart } from './charts/time-series.chart.js';
import { DRIFT_TEST_NAMES, type DriftEvent, type DriftSnapshot } from '../../drift/drift.types.js';
import { formatAge, formatPercent, formatPValue, formatTime, TEST_INFO, testMethod } from './report.format.js';
import { accuracySection } from './accuracy.section.js';
import { coverageNote } from './coverage.section.js';
import { healthSection } from './health.section.js';
import { regionsSection } from './regions.section.js';
import { eventsTable, testsTable, versionsTable } from './report.sections.js';
import { REPORT_STYLE } from './report.styles.js';
import { sequentialAlarmNote, sequentialKpi, sequentialMethod } from './sequential.section.js';
import type { DriftReport } from '../../drift/report/report.types.js';

function legend(items: { label: string; color: string; rule?: boolean }[]) {
  return html`<div class="legend">${items.map((i) => html`<span><i class="${i.rule ? 'rule' : ''}" style="${i.rule ? `border-color:${i.color}` : `background:${i.color}`}"></i>${i.label}</span>`)}</div>`;
}

/** Contiguous runs of drifting snapshots, for shading (x = prediction seq at the window end). */
function driftSpans(history: DriftSnapshot[]): { from: number; to: number }[] {
  const spans: { from: number; to: number }[] = [];
  history.forEach((h, i) => {
    if (h.status !== 'drift' || h.toSeq === null) return;
    const from = history[i - 1]?.toSeq ?? h.toSeq;
    const to = h.toSeq;
    const last = spans.at(-1);
    if (last && last.to === from) last.to = to;
    else spans.push({ from, to });
  });
  return spans;
}

function points(history: DriftSnapshot[], value: (h: DriftSnapshot) => number | undefined) {
  return history.flatMap((h) => {
    const y = value(h);
    return h.toSeq === null || y === undefined ? [] : [{ x: h.toSeq, y, note: formatTime(h.at) }];
  });
}

function scoreChart(r: DriftReport) {
  const { history, threshold, events } = r.drift;
  const expected = 1 - r.model.quantile;
  const top = Math.max(threshold * 1.6, ...history.map((h) => h.score));
  const seqOf = new Map(history.map((h) => [h.id, h.toSeq]));
  return timeSeriesChart({
    title: 'Drift score (window OOD rate) over the prediction stream',
    series: [{ name: 'drift score', color: COLORS.production, points: points(history, (h) => h.score) }],
    rules: [
      { y: threshold, label: `threshold ${formatPercent(threshold, 0)}`, color: COLORS.threshold },
      { y: expected, label: `expected ${formatPercent(expected, 0)}`, color: COLORS.expected },
    ],
    yDomain: [0, Math.min(1, Math.ceil(top * 20) / 20)],
    yFormat: (v) => formatPercent(v, 0),
    driftSpans: driftSpans(history),
    events: events.flatMap((e) => {
      const x = seqOf.get(e.snapshotId);
      return x === undefined || x === null ? [] : [{ x, label: `event #${e.id}: score ${formatPercent(e.score)} · ${formatTime(e.at)}` }];
    }),
  });
}

function pValueChart(r: DriftReport) {
  const { history, alpha } = r.drift;
  const cap = 8;
  const series = DRIFT_TEST_NAMES.map((name, i) => ({
    name,
    color: COLORS.tests[i]!,
    points: points(history, (h) => {
      const t = h.tests.find((x) => x.name === name);
      return t && t.pValue !== null ? Math.min(cap, -Math.log10(Math.max(t.pValue, 1e-300))) : undefined;
    }),
  })).filter((s) => s.points.length > 0);
  return {
    chart: timeSeriesChart({
      title: 'Test p-values over the prediction stream (−log10 p)',
      series,
      rules: [{ y: -Math.log10(alpha), label: `alpha ${alpha}`, color: COLORS.threshold }],
      yDomain: [0, cap],
      yFormat: (v) => (v >= cap ? `≥${cap}` : v.toFixed(0)),
    }),
    legend: legend(series.map((s) => ({ label: TEST_INFO[s.name].title, color: s.color }))),
  };
}

function webhookSummary(deliveries: DriftEvent['deliveries']): string {
  if (deliveries.length === 0) return 'no webhooks configured';
  const delivered = deliveries.filter((x) => x.status === 'delivered').length;
  return `${delivered} of ${deliveries.length} webhook${deliveries.length === 1 ? '' : 's'} delivered`;
}

function kpis(r: DriftReport) {
  const d = r.drift;
  const ood = d.tests.find((t) => t.name === 'ood_rate');
  const last = d.events[0];
  return html`<div class="kpis">
<div class="kpi"><div class="label">Drift score</div><div class="value ${d.window.count === 0 ? '' : d.status === 'drift' ? 'bad' : 'good'}">${d.window.count === 0 ? '—' : formatPercent(d.score)}</div>
<div class="sub">OOD rate of the window · threshold ${formatPercent(d.threshold, 0)} · expected ${formatPercent(1 - r.model.quantile, 0)}</div></div>
<div class="kpi"><div class="label">OOD rate p-value</div><div class="value">${formatPValue(ood?.pValue ?? null)}</div>
<div class="sub">${testMethod(ood, 'ood_rate')} · alpha ${d.alpha}</div></div>
<div class="kpi"><div class="label">Window</div><div class="value">${d.window.count}<span class="muted" style="font-size:15px"> / ${d.window.size}</span></div>
<div class="sub">${d.window.fromSeq === null ? 'no predictions yet' : `predictions #${d.window.fromSeq} – #${d.window.toSeq}`}</div></div>
<div class="kpi"><div class="label">Last drift event</div><div class="value">${last ? formatAge(last.at, Date.parse(r.generatedAt)) : '—'}</div>
<div class="sub">${last ? `#${last.id} · score ${formatPercent(last.score)} · ${webhookSummary(last.deliveries)}` : 'none recorded'}</div></div>
${sequentialKpi(d.sequential, Date.parse(r.generatedAt))}
</div>`;
}

function banner(r: DriftReport) {
  const d = r.drift;
  const drifting = d.tests.filter((t) => t.drift && t.name !== 'ood_rate').map((t) => TEST_INFO[t.name].title.toLowerCase());
  if (d.window.count === 0) {
    return html`<div class="alert ok"><strong>No predictions yet.</strong> Drift is measured on the predictions the app forwards
(<code>POST /v1/models/${r.model.name}/predictions</code>); until then there is nothing to compare with the training data.</div>`;
  }
  if (d.status === 'drift') {
    return html`<div class="alert"><strong>Drift passes the threshold.</strong> ${formatPercent(d.score)} of the last ${d.window.count} predictions are out of distribution
(threshold ${formatPercent(d.threshold, 0)}; OOD-rate p-value ${formatPValue(d.tests[0]?.pValue ?? null)}, alpha ${d.alpha}).${sequentialAlarmNote(d.sequential)}
${drifting.length > 0 ? `Also shifted: ${drifting.join(', ')}. ` : ''}Collect and label data that looks like the top regions below.</div>`;
  }
  return html`<div class="alert ok"><strong>No drift past the threshold.</strong> ${formatPercent(d.score)} of the last ${d.window.count} predictions are out of distribution (threshold ${formatPercent(d.threshold, 0)}).
${drifting.length > 0 ? `Shifted without passing the threshold: ${drifting.join(', ')}.` : ''}</div>`;
}

/** The drift report page: verdict, charts, tests, new regions, events and versions. `via`: none for a file (the CLI's report). */
export function reportPage(r: DriftReport, via?: PageVia) {
  const p = pValueChart(r);
  const conf = r.distributions.confidence;
  const baselineLabel = conf.baselineSource ?? 'baseline';
  return layout(
    `Drift report · ${r.model.name}`,
    html`<style>${raw(REPORT_STYLE)}</style>
<div class="page-head"><h1>${r.model.name}</h1>
${r.drift.window.count === 0 ? html`<span class="badge status">no data yet</span>` : html`<span class="badge status ${r.drift.status === 'drift' ? 'drift' : 'ok'}">${r.drift.status === 'drift' ? 'drift' : 'ok'}</span>`}
<span class="meta"><span class="badge">${r.model.task}</span><span class="badge">${r.model.metric}</span><span class="badge">${r.model.embeddingDim} dims</span>${r.model.encoder ? html`<span class="badge">${r.model.encoder}</span>` : ''}<span class="badge">${r.model.concepts} concepts</span></span>
<span class="when muted small">Drift report · generated ${formatTime(r.generatedAt)} · calibration: ${r.calibration.source} (${r.calibration.size}) · <a href="?format=json">JSON</a></span></div>
${banner(r)}
${coverageNote(r)}
${kpis(r)}
<div class="grid2 row">
<div class="card"><h2>Drift score vs threshold</h2>${legend([
      { label: 'window OOD rate', color: COLORS.production },
      { label: 'threshold', color: COLORS.threshold, rule: true },
      { label: 'expected (1 − quantile)', color: COLORS.expected, rule: true },
    ])}${scoreChart(r)}</div>
<div class="card"><h2>Test p-values <span class="muted">−log10 p; above the line is significant</span></h2>${p.legend}${p.chart}</div>
</div>
<div class="card"><h2>Tests <span class="muted">over the last ${r.drift.window.count} predictions</span></h2>${testsTable(r.drift.tests)}</div>
<div class="grid2 row">
<div class="card"><h2>Confidence distribution <span class="muted">top-1 score</span></h2>${legend([
      { label: 'production window', color: COLORS.production },
      { label: baselineLabel, color: COLORS.reference },
    ])}${histogramChart({
      title: 'Top-1 confidence, production vs baseline',
      edges: conf.edges,
      series: [
        { name: 'production', color: COLORS.production, shares: conf.production },
        { name: baselineLabel, color: COLORS.reference, shares: conf.baseline },
      ],
    })}</div>
<div class="card"><h2>Predicted-concept mix vs training</h2>${legend([
      { label: 'training labels', color: COLORS.reference },
      { label: 'production predictions', color: COLORS.production },
    ])}${conceptMixChart({ title: 'Predicted concepts vs training labels', rows: r.distributions.concepts.map((c) => ({ label: c.concept, production: c.production, training: c.training })) })}</div>
</div>
<div class="card" id="regions"><h2>Regions <span class="muted">where production went, on a map of training and production: what data to collect and label</span></h2>${regionsSection(r.regions)}</div>
${accuracySection(r)}
${r.health ? html`<div class="card" id="training-data-health"><h2>Training-data health <span class="muted">the checklist for the training data</span></h2>${healthSection(r.health)}</div>` : ''}
<div class="card"><h2>Drift events</h2>${eventsTable(r.drift.events, Date.parse(r.generatedAt))}</div>
<div class="card"><h2>Versions</h2>${versionsTable(r.versions)}</div>
<div class="card method"><h2>How this is computed</h2><ul>
<li>Window: the last ${r.drift.window.size} predictions. Drift score = the window's OOD rate; drift passes the threshold when the score ≥ ${formatPercent(r.drift.threshold, 0)} and the ${testMethod(r.drift.tests.find((t) => t.name === 'ood_rate'), 'ood_rate')} p-value against ${formatPercent(1 - r.model.quantile, 0)} is below ${r.drift.alpha}.</li>
<li>OOD: mean distance to the k nearest training examples, as a conformal percentile of ${r.calibration.source} calibration distances; OOD at the ${formatPercent(r.model.quantile, 0)} percentile.</li>
${sequentialMethod(r.drift.sequential)}
<li>Embedding shift compares a deterministic sample of the window with a fixed sample of training embeddings (permutation null over the pooled sample). Prediction and confidence shifts also need a minimum effect size, so large windows do not turn negligible differences into alarms.</li>
</ul></div>`,
    { via },
  );
}
