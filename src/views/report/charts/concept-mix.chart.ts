import { html } from 'hono/html';
import { emptyChart } from './frame.js';
import { COLORS, linear, pct, px } from './scale.js';

export interface ConceptMixChart {
  title: string;
  rows: { label: string; production: number; training: number }[];
  width?: number;
}

const ROW = 30;
const LABEL = 130;

/** Predicted-concept shares in production next to training label shares, as horizontal bars. */
export function conceptMixChart(c: ConceptMixChart) {
  const width = c.width ?? 560;
  if (c.rows.length === 0) return emptyChart(width, 120, 'No concepts');
  const height = c.rows.length * ROW + 30;
  const max = Math.max(0.05, ...c.rows.flatMap((r) => [r.production, r.training]));
  const x = linear([0, max], [LABEL, width - 60]);
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${c.title}">
${c.rows.map((r, i) => {
  const y0 = 8 + i * ROW;
  const shift = r.production - r.training;
  return html`<g>
<text x="${LABEL - 8}" y="${y0 + 15}" text-anchor="end" class="label">${truncate(r.label, 18)}<title>${r.label}</title></text>
<rect x="${LABEL}" y="${y0 + 2}" width="${px(Math.max(0.5, x(r.training) - LABEL))}" height="9" fill="${COLORS.reference}" rx="1"><title>training: ${pct(r.training, 1)}</title></rect>
<rect x="${LABEL}" y="${y0 + 12}" width="${px(Math.max(0.5, x(r.production) - LABEL))}" height="9" fill="${COLORS.production}" rx="1"><title>production: ${pct(r.production, 1)}</title></rect>
<text x="${px(Math.max(x(r.production), x(r.training)) + 6)}" y="${y0 + 16}" class="tick ${Math.abs(shift) >= 0.05 ? 'moved' : ''}">${shift >= 0 ? '+' : '−'}${pct(Math.abs(shift), 1)}</text>
</g>`;
})}
<line x1="${LABEL}" x2="${LABEL}" y1="4" y2="${height - 22}" stroke="${COLORS.axis}"/>
<text x="${LABEL}" y="${height - 6}" class="tick">0%</text>
<text x="${width - 60}" y="${height - 6}" text-anchor="end" class="tick">${pct(max)}</text>
</svg>`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
