import { html } from 'hono/html';
import { isSafeImageUrl } from '../safe-image-url.js';
import type { VersionSummary } from '../../drift/drift.providers.js';
import type { DriftEvent, DriftTestResult } from '../../drift/drift.types.js';
import { formatAge, formatNumber, formatPercent, formatPValue, formatTime, TEST_INFO, testMethod } from './report.format.js';
import type { NewRegion, RegionsSection } from '../../drift/report/report.types.js';

function verdict(t: DriftTestResult) {
  if (t.status === 'insufficient_data') return html`<span class="badge muted-badge">not enough data</span>`;
  return t.drift ? html`<span class="badge drift">drift</span>` : html`<span class="badge ok">ok</span>`;
}

/** The five tests, one row each. */
export function testsTable(tests: DriftTestResult[]) {
  return html`<table class="tests">
<thead><tr><th>Test</th><th>Compares</th><th class="num">Statistic</th><th class="num">Effect</th><th class="num">p-value</th><th>Verdict</th></tr></thead>
<tbody>${tests.map(
    (t) => html`<tr>
<td><strong>${TEST_INFO[t.name].title}</strong><div class="mono muted">${t.name}</div></td>
<td>${TEST_INFO[t.name].compares}<div class="muted small">${testMethod(t, t.name)} · ${t.summary}</div></td>
<td class="num mono">${formatNumber(t.statistic)}</td>
<td class="num mono">${formatNumber(t.effect)}</td>
<td class="num mono">${formatPValue(t.pValue)}</td>
<td>${verdict(t)}</td></tr>`,
  )}</tbody></table>`;
}

/** Recorded drift events with their webhook deliveries. */
export function eventsTable(events: DriftEvent[], now: number) {
  if (events.length === 0) return html`<p class="muted">No drift event recorded yet.</p>`;
  return html`<table><thead><tr><th>Event</th><th>Kind</th><th>Detected</th><th class="num">Score</th><th class="num">Threshold</th><th class="num">OOD p-value</th><th>Webhooks</th></tr></thead>
<tbody>${events.map(
    (e) => html`<tr><td class="mono">#${e.id}</td><td>${e.kind}</td><td>${formatTime(e.at)} <span class="muted">(${formatAge(e.at, now)})</span></td>
<td class="num mono">${formatPercent(e.score)}</td><td class="num mono">${formatPercent(e.threshold)}</td><td class="num mono">${formatPValue(e.pValue)}</td>
<td>${e.deliveries.length === 0 ? html`<span class="muted">none configured</span>` : e.deliveries.map((d) => html`<div><span class="badge ${d.status === 'delivered' ? 'ok' : d.status === 'pending' ? '' : 'drift'}">${d.status}</span> <span class="mono small">${d.url}</span> <span class="muted small">${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.lastError ? ` · ${d.lastError}` : ''}</span></div>`)}</td></tr>`,
  )}</tbody></table>`;
}

const HEADLINE_METRICS = ['accuracy', 'macroF1', 'macro_f1', 'f1', 'ece'];

function metricsCell(metrics: Record<string, unknown> | undefined) {
  if (!metrics) return html`<span class="muted">—</span>`;
  const flat: [string, unknown][] = [];
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v === 'number') flat.push([k, v]);
    else if (v && typeof v === 'object') for (const [k2, v2] of Object.entries(v)) if (typeof v2 === 'number') flat.push([`${k}.${k2}`, v2]);
  }
  const shown = flat.filter(([k]) => HEADLINE_METRICS.some((h) => k.endsWith(h))).slice(0, 6);
  return html`${(shown.length > 0 ? shown : flat.slice(0, 6)).map(([k, v]) => html`<span class="metric"><span class="muted">${k}</span> ${formatNumber(v as number)}</span>`)}`;
}

function decisionCell(d: VersionSummary['decision']) {
  if (!d) return html`<span class="muted">—</span>`;
  const set = d.evalSet ? html`<div class="muted">compared on ${d.evalSet.name}: ${d.evalSet.size} items (digest <span class="mono">${d.evalSet.digest}</span>)${d.test ? ` · ${d.test}` : ''}</div>` : '';
  return html`<strong>${d.promote ? 'promoted' : 'not promoted'}</strong>: ${d.reason}${set}`;
}

/** Whatever versions the retraining feature reports. */
export function versionsTable(versions: VersionSummary[]) {
  if (versions.length === 0) return html`<p class="muted">No trained versions yet. Versions appear here once retraining has run.</p>`;
  return html`<table><thead><tr><th>Version</th><th>Status</th><th>Created</th><th>Metrics</th><th>Trained on</th><th>Promotion decision</th></tr></thead>
<tbody>${versions.map(
    (v) => html`<tr><td class="mono">${String(v.version)}</td><td><span class="badge ${v.status === 'champion' ? 'ok' : ''}">${v.status}</span></td>
<td>${formatTime(v.createdAt)}</td><td>${metricsCell(v.metrics)}</td><td class="small mono">${v.trainedOn === undefined ? '—' : typeof v.trainedOn === 'string' ? v.trainedOn : JSON.stringify(v.trainedOn).slice(0, 160)}</td>
<td class="small decision">${decisionCell(v.decision)}</td></tr>`,
  )}</tbody></table>`;
}
