import { html } from 'hono/html';
import { COLORS, linear, niceTicks, px } from './scale.js';

/** Plot area of a chart: an SVG box with margins for axes. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function frame(width: number, height: number, left = 48, bottom = 28): Frame {
  return { width, height, left, right: width - 12, top: 12, bottom: height - bottom };
}

/** Horizontal grid lines with y tick labels. */
export function yGrid(f: Frame, domain: [number, number], format: (v: number) => string, ticks = niceTicks(domain[0], domain[1], 4)) {
  const y = linear(domain, [f.bottom, f.top]);
  return html`${ticks.map(
    (t) => html`<line x1="${f.left}" x2="${f.right}" y1="${px(y(t))}" y2="${px(y(t))}" stroke="${COLORS.grid}"/>
<text x="${f.left - 6}" y="${px(y(t) + 4)}" text-anchor="end" class="tick">${format(t)}</text>`,
  )}`;
}

/** A message in place of a chart that has no data yet. */
export function emptyChart(width: number, height: number, message: string) {
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${message}">
<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" rx="6" fill="#fafbfc" stroke="${COLORS.grid}"/>
<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="empty">${message}</text></svg>`;
}
