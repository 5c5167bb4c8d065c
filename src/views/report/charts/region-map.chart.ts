import { html } from 'hono/html';
import type { MapPoint, Region } from '../../../regions/regions.types.js';
import { COLORS, px } from './scale.js';

/** Colours of regions in rank order; later regions reuse them. */
const REGION_COLORS = ['#dc2626', '#2f6fde', '#d97706', '#0d9488', '#7c3aed', '#db2777', '#65a30d', '#0891b2', '#a16207', '#4f46e5', '#be123c', '#15803d'];

/** A region's colour by its rank in the list. */
export function regionColor(regions: Region[], id: number): string {
  const rank = regions.findIndex((r) => r.id === id);
  return rank < 0 ? COLORS.reference : REGION_COLORS[rank % REGION_COLORS.length]!;
}

/**
 * The 2-D UMAP map: training points as grey rings under production points coloured by region,
 * each region numbered at its centre. Production far from every grey ring is where training
 * never went.
 */
export function regionMapChart(regions: Region[], points: MapPoint[], width = 640, height = 420) {
  const pad = 16;
  const x = (v: number) => px(pad + v * (width - 2 * pad));
  const y = (v: number, shift = 0) => px(pad + (1 - v) * (height - 2 * pad) + shift);
  const training = points.filter((p) => p.kind === 'training');
  const production = points.filter((p) => p.kind === 'production');
  return html`<svg class="region-map" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Map of training and production embeddings by region">
<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" rx="6" fill="#fcfcfd" stroke="${COLORS.grid}"/>
<g class="training">${training.map((p) => html`<circle cx="${x(p.x)}" cy="${y(p.y)}" r="3" fill="none" stroke="${COLORS.reference}" stroke-width="1"/>`)}</g>
<g class="production">${production.map((p) => html`<circle cx="${x(p.x)}" cy="${y(p.y)}" r="2.6" fill="${regionColor(regions, p.region)}" fill-opacity="0.75" data-region="${p.region}"/>`)}</g>
<g class="centres">${regions.map(
    (r) => html`<g class="centre" data-region="${r.id}"><circle cx="${x(r.centroid2d[0])}" cy="${y(r.centroid2d[1])}" r="10" fill="#fff" stroke="${regionColor(regions, r.id)}" stroke-width="2"/>
<text x="${x(r.centroid2d[0])}" y="${y(r.centroid2d[1], 4)}" text-anchor="middle" class="region-id">${r.id}</text></g>`,
  )}</g>
</svg>`;
}
