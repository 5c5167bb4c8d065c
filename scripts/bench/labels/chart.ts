import type { RunResult } from './loop-run.js';

const COLORS = ['#1f77b4', '#d62728', '#7f7f7f', '#2ca02c', '#e377c2', '#ff7f0e', '#17becf', '#8c564b', '#bcbd22'];
const W = 700;
const H = 380;
const M = { left: 56, right: 215, top: 36, bottom: 48 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Accuracy on held-out phone-like inputs against labels, one line per run (self-contained SVG). */
export function accuracyChart(runs: RunResult[], title: string): string {
  const xs = runs.flatMap((r) => [0, ...r.checkpoints.map((c) => c.labels)]);
  const ys = runs.flatMap((r) => [r.first.ugc, ...r.checkpoints.map((c) => c.ugc)]);
  const xMax = Math.max(...xs);
  const yMin = Math.floor(Math.min(...ys) * 20) / 20;
  const yMax = Math.ceil(Math.max(...ys) * 20) / 20;
  const px = (x: number) => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - yMin) / (yMax - yMin || 1)) * (H - M.top - M.bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let y = yMin; y <= yMax + 1e-9; y += 0.05) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${Math.round(100 * y)}%</text>`);
  }
  const ticks = [...new Set(xs)].sort((a, b) => a - b);
  for (const x of ticks) out.push(`<text x="${px(x).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${x}</text>`);
  const perAnswer = runs.some((r) => r.spec.grid !== undefined);
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 10}" text-anchor="middle">production labels${perAnswer ? ' (grid runs: answers, grid labels on top)' : ''}</text>`);
  out.push(`<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">accuracy on held-out phone-like inputs</text>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#333"/><line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>`);
  runs.forEach((r, i) => {
    const color = COLORS[i % COLORS.length]!;
    const name = r.spec.grid !== undefined ? `${r.spec.name} (per answer)` : r.spec.name;
    const pts = [[0, r.first.ugc], ...r.checkpoints.map((c) => [c.labels, c.ugc])] as [number, number][];
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"><title>${esc(name)}: ${x} ${r.spec.grid !== undefined ? 'answers' : 'labels'}, ${(100 * y).toFixed(1)}%</title></circle>`);
    const ly = M.top + 8 + i * 20;
    out.push(`<line x1="${W - M.right + 12}" x2="${W - M.right + 32}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/><text x="${W - M.right + 38}" y="${ly + 4}">${esc(name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
