import { html } from 'hono/html';
import { emptyChart, frame, yGrid } from './frame.js';
import { COLORS, linear, pct, px } from './scale.js';

export interface HistogramChart {
  title: string;
  /** Bin edges, one more than shares. */
  edges: number[];
  series: { name: string; color: string; shares: number[] }[];
  width?: number;
  height?: number;
}

/** Overlaid distributions as side-by-side bars per bin, as inline SVG. */
export function histogramChart(c: HistogramChart) {
  const width = c.width ?? 560;
  const height = c.height ?? 220;
  const bins = c.edges.length - 1;
  const top = Math.max(0, ...c.series.flatMap((s) => s.shares));
  if (bins < 1 || top === 0) return emptyChart(width, height, 'No scores yet');
  const f = frame(width, height);
  const yMax = Math.min(1, Math.ceil((top * 1.1) / 0.05) * 0.05);
  const x = linear([c.edges[0]!, c.edges[bins]!], [f.left, f.right]);
  const y = linear([0, yMax], [f.bottom, f.top]);
  const binWidth = (f.right - f.left) / bins;
  const barWidth = (binWidth - 2) / c.series.length;
  const labels = c.edges.filter((_, i) => i % 4 === 0);
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${c.title}">
${yGrid(f, [0, yMax], (v) => pct(v))}
${c.series.map((s, si) =>
  s.shares.map(
    (share, b) => html`<rect x="${px(x(c.edges[b]!) + 1 + si * barWidth)}" y="${px(y(share))}" width="${px(Math.max(0.5, barWidth - 0.5))}" height="${px(f.bottom - y(share))}" fill="${s.color}" rx="1"><title>${s.name}: ${pct(share, 1)} in [${c.edges[b]!.toFixed(2)}, ${c.edges[b + 1]!.toFixed(2)})</title></rect>`,
  ),
)}
<line x1="${f.left}" x2="${f.right}" y1="${f.bottom}" y2="${f.bottom}" stroke="${COLORS.axis}"/>
${labels.map((e) => html`<text x="${px(x(e))}" y="${f.bottom + 18}" text-anchor="middle" class="tick">${e.toFixed(1)}</text>`)}
</svg>`;
}
