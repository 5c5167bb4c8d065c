import { html, raw } from 'hono/html';
import { formatAge, formatPercent } from '../report/report.format.js';
import { REPORT_STYLE } from '../report/report.styles.js';
import { layout, type PageVia } from '../layout.js';
import type { DashboardRow } from './dashboard.service.js';

function driftCell(r: DashboardRow, now: number) {
  if (!r.drift) return html`<span class="badge muted-badge">not evaluated</span>`;
  const d = r.drift;
  return html`<span class="badge ${d.status === 'drift' ? 'drift' : 'ok'}">${d.status}</span>
<span class="mono">${formatPercent(d.score)}</span> <span class="muted small">/ ${formatPercent(d.threshold, 0)} · ${formatAge(d.at, now)}</span>`;
}

function accuracyCell(r: DashboardRow) {
  if (!r.accuracy) return html`<span class="muted">—</span>`;
  const { current, change } = r.accuracy;
  const points = change === null ? '' : Math.abs(change) < 0.005 ? '▬ steady' : `${change < 0 ? '▼' : '▲'} ${(Math.abs(change) * 100).toFixed(1)} pts`;
  const low = current.reference !== null && current.interval[1] < current.reference;
  return html`<span class="mono ${low ? 'bad' : ''}" title="90% interval ${formatPercent(current.interval[0])}–${formatPercent(current.interval[1])}; ${current.method}">est. accuracy ${formatPercent(current.estimatedAccuracy)}</span>
<div class="muted small">${points}${current.reference === null ? '' : ` · eval ${formatPercent(current.reference)}`}</div>`;
}

function championCell(r: DashboardRow, name: string) {
  if (r.champion) return html`<span class="badge ok">${r.champion}</span>`;
  if (!r.waiting) return html`<span class="muted">none yet</span>`;
  // A version the rule did not promote (a first one evaluated on too little data): say so, the report has the reason.
  return html`<span class="muted">none yet</span><div class="small"><a href="/ui/models/${name}/report" title="${r.waiting.reason}">v${r.waiting.version} not promoted</a></div>`;
}

/** The home page: every model with its drift status, queue depth, champion and last event. */
export function dashboardPage(rows: DashboardRow[], now: Date, via: PageVia) {
  const drifting = rows.filter((r) => r.drift?.status === 'drift').length;
  return layout(
    'Models',
    html`<style>${raw(REPORT_STYLE)}</style>
<div class="page-head"><h1>Models</h1><span class="muted">${rows.length} monitored · ${drifting} drifting</span></div>
${rows.length === 0
  ? html`<div class="card"><p>No models yet. Create one with <code>PUT /v1/models/{model}</code>, add training examples, then forward predictions. See the <a href="/docs">API docs</a>.</p></div>`
  : html`<div class="card" style="padding:0"><table class="models">
<thead><tr><th>Model</th><th>Drift</th><th>Accuracy (estimated)</th><th class="num">Predictions</th><th class="num">Training (train / eval)</th><th class="num">Queue depth</th><th>Champion</th><th>Last drift event</th><th></th></tr></thead>
<tbody>${rows.map((r) => {
      const name = encodeURIComponent(r.name);
      return html`<tr>
<td><a href="/ui/models/${name}/report">${r.name}</a><div class="muted small">${r.task} · ${r.concepts} concepts</div></td>
<td>${driftCell(r, now.getTime())}</td>
<td>${accuracyCell(r)}</td>
<td class="num mono">${r.predictions.toLocaleString('en-US')}</td>
<td class="num mono">${r.examples.train.toLocaleString('en-US')} / ${r.examples.eval.toLocaleString('en-US')}</td>
<td class="num mono">${r.queueDepth === undefined ? '—' : r.queueDepth.toLocaleString('en-US')}</td>
<td>${championCell(r, name)}</td>
<td>${r.lastEvent ? html`#${r.lastEvent.id} · ${formatPercent(r.lastEvent.score)} <span class="muted small">${formatAge(r.lastEvent.at, now.getTime())}</span>` : html`<span class="muted">none</span>`}</td>
<td class="small"><a href="/ui/models/${name}/report">Report</a> · <a href="/ui/models/${name}/label">Label</a></td>
</tr>`;
    })}</tbody></table></div>`}`,
    { via },
  );
}
