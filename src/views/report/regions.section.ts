import { html } from 'hono/html';
import type { RegionsSnapshot } from '../../regions/regions.types.js';
import { isSafeImageUrl } from '../safe-image-url.js';
import { regionColor, regionMapChart } from './charts/region-map.chart.js';
import { formatPercent, formatTime } from './report.format.js';

function thumbnail(id: string, input: { url?: string; text?: string } | null) {
  const url = input?.url;
  const media = isSafeImageUrl(url)
    ? html`<img src="${url}" alt="input of ${id}">`
    : html`<div class="text-input">${input?.text ? input.text.slice(0, 140) : url ? 'external input' : 'no input reference'}</div>`;
  return html`<figure class="example">${media}<figcaption><span class="mono">${id}</span></figcaption></figure>`;
}

/** The regions of recent production data: the map, then each region best-to-label first. */
export function regionsSection(s: RegionsSnapshot | null) {
  if (!s || s.regions.length === 0) return html`<p class="muted">No production predictions yet.</p>`;
  const legend = html`<div class="legend"><span><svg width="12" height="12"><circle cx="6" cy="6" r="4" fill="none" stroke="#9aa5b8"/></svg> training</span>
${s.regions.map((r) => html`<span><svg width="12" height="12"><circle cx="6" cy="6" r="4" fill="${regionColor(s.regions, r.id)}"/></svg> region ${r.id}</span>`)}</div>`;
  return html`<p class="muted">The last ${s.windowCount} predictions in ${s.k} region${s.k === 1 ? '' : 's'} (k-means++ on the leading principal components, k by silhouette${s.silhouette === null ? '' : ` ${s.silhouette.toFixed(2)}`}),
ranked by how over-represented each is against the training data times its estimated error. Computed ${formatTime(s.computedAt)}.</p>
${legend}${regionMapChart(s.regions, s.map)}
<div class="regions">${s.regions.map(
    (r) => html`<section class="region" data-region="${r.id}">
<header><h3><span class="swatch" style="background:${regionColor(s.regions, r.id)}"></span>Region ${r.id}</h3><span class="badge ${r.trainingShare < r.share / 4 ? 'warn' : ''}">${r.size} predictions · ${formatPercent(r.share, 0)} of production</span></header>
<dl class="facts">
<div><dt>Share of training</dt><dd><strong>${formatPercent(r.trainingShare, 1)}</strong></dd></div>
<div><dt>Estimated accuracy</dt><dd><strong>${formatPercent(r.estimatedAccuracy, 0)}</strong></dd></div>
<div><dt>Out of distribution</dt><dd>${formatPercent(r.oodShare, 0)}</dd></div>
<div><dt>Labeled</dt><dd>${r.labeled}</dd></div>
</dl>
<div class="examples">${r.examples.map((id, i) => thumbnail(id, r.inputs[i] ?? null))}</div>
</section>`,
  )}</div>`;
}
