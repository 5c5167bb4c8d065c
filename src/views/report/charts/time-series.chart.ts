import { html } from 'hono/html';
import { emptyChart, frame, yGrid } from './frame.js';
import { COLORS, linear, niceTicks, px } from './scale.js';

/** A point of a series: x is the prediction number at the end of the window. */
interface SeriesPoint {
  x: number;
  y: number;
  /** Tooltip context, e.g. the evaluation time. */
  note: string;
}

interface TimeSeries {
  name: string;
  color: string;
  points: SeriesPoint[];
}

export interface TimeSeriesChart {
  title: string;
  series: TimeSeries[];
  /** Horizontal reference lines (threshold, expected rate, alpha). */
  rules: { y: number; label: string; color: string }[];
  yDomain: [number, number];
  yFormat: (v: number) => string;
  /** Ranges of x shaded as drifting, and event markers. */
  driftSpans?: { from: number; to: number }[];
  events?: { x: number; label: string }[];
  /** Shaded ranges drawn under the lines (an interval around an estimate). */
  bands?: { color: string; points: { x: number; lo: number; hi: number }[] }[];
  /** Single points drawn as diamonds, with a tooltip (labeled evidence). */
  marks?: { x: number; y: number; color: string; label: string }[];
  width?: number;
  height?: number;
}

/**
 * A line chart over the prediction stream (count windows, so x is "predictions seen",
 * not wall time) with threshold rules, drift shading and event markers, as inline SVG.
 */
export function timeSeriesChart(c: TimeSeriesChart) {
  const width = c.width ?? 560;
  const height = c.height ?? 230;
  const xs = c.series.flatMap((s) => s.points.map((p) => p.x));
  if (xs.length < 2) return emptyChart(width, height, 'Not enough history yet: charts appear after two evaluations');
  const f = frame(width, height, 48, 40);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const x = linear([x0, x1], [f.left, f.right]);
  const y = linear(c.yDomain, [f.bottom, f.top]);
  const clampY = (v: number) => y(Math.min(c.yDomain[1], Math.max(c.yDomain[0], v)));
  const xTicks = niceTicks(x0, x1, 5).filter((t) => t >= x0 && t <= x1);
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${c.title}">
${(c.driftSpans ?? []).map((s) => html`<rect x="${px(x(s.from))}" y="${f.top}" width="${px(Math.max(2, x(s.to) - x(s.from)))}" height="${f.bottom - f.top}" fill="${COLORS.drift}"/>`)}
${yGrid(f, c.yDomain, c.yFormat)}
${(c.bands ?? []).map((b) => {
  const upper = b.points.map((p) => `${px(x(p.x))},${px(clampY(p.hi))}`);
  const lower = [...b.points].reverse().map((p) => `${px(x(p.x))},${px(clampY(p.lo))}`);
  return html`<polygon points="${[...upper, ...lower].join(' ')}" fill="${b.color}" fill-opacity="0.18" stroke="none"/>`;
})}
<line x1="${f.left}" x2="${f.right}" y1="${f.bottom}" y2="${f.bottom}" stroke="${COLORS.axis}"/>
${xTicks.map((t) => html`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${f.bottom}" y2="${f.bottom + 4}" stroke="${COLORS.axis}"/><text x="${px(x(t))}" y="${f.bottom + 16}" text-anchor="middle" class="tick">${t.toLocaleString('en-US')}</text>`)}
<text x="${(f.left + f.right) / 2}" y="${height - 4}" text-anchor="middle" class="tick">predictions received</text>
${c.rules.map(
  (r) => html`<line x1="${f.left}" x2="${f.right}" y1="${px(clampY(r.y))}" y2="${px(clampY(r.y))}" stroke="${r.color}" stroke-dasharray="5 4" stroke-width="1.5"/>
<text x="${f.left + 6}" y="${px(clampY(r.y) - 5)}" class="rule" fill="${r.color}">${r.label}</text>`,
)}
${c.series.map(
  (s) => html`<polyline fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round" points="${s.points.map((p) => `${px(x(p.x))},${px(clampY(p.y))}`).join(' ')}"/>
${s.points.length <= 80 ? s.points.map((p) => html`<circle cx="${px(x(p.x))}" cy="${px(clampY(p.y))}" r="2.5" fill="${s.color}"><title>${s.name}: ${c.yFormat(p.y)} · prediction #${p.x} · ${p.note}</title></circle>`) : ''}`,
)}
${(c.marks ?? []).map((m) => html`<path d="M${px(x(m.x))},${px(clampY(m.y) - 5)} l5,5 l-5,5 l-5,-5 z" fill="${m.color}"><title>${m.label}</title></path>`)}
${(c.events ?? []).map(
  (e) => html`<g><line x1="${px(x(e.x))}" x2="${px(x(e.x))}" y1="${f.top}" y2="${f.bottom}" stroke="${COLORS.threshold}" stroke-width="1"/>
<path d="M${px(x(e.x))},${f.top + 8} l-5,-8 h10 z" fill="${COLORS.threshold}"><title>${e.label}</title></path></g>`,
)}
</svg>`;
}
