/** Maps a domain linearly onto a range (pixels). */
export function linear(domain: [number, number], range: [number, number]): (x: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (x) => r0 + ((x - d0) / span) * (r1 - r0);
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Math.round(t / step) * step);
  return ticks;
}

/** Rounds pixel coordinates so the SVG stays short and crisp. */
export function px(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

export function pct(x: number, digits = 0): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** The palette shared by every chart, so a series keeps its colour across the report. */
export const COLORS = {
  production: '#2f6fde',
  reference: '#9aa5b8',
  threshold: '#c2410c',
  expected: '#15803d',
  grid: '#e6e9ef',
  axis: '#5d6677',
  drift: '#fdeee6',
  tests: ['#2f6fde', '#7c3aed', '#0d9488', '#d97706', '#db2777'],
} as const;
