import type { Metric } from '../../src/vectors/vector-index.js';

/** The exact k nearest points (by index into `points`) of each query, by brute force. */
export function exactNeighbors(points: number[][], queries: number[][], k: number, metric: Metric): number[][] {
  const unit = (v: number[]) => {
    let n = 0;
    for (const x of v) n += x * x;
    n = Math.sqrt(n) || 1;
    return Float64Array.from(v, (x) => x / n);
  };
  const prepared = points.map((p) => (metric === 'cosine' ? unit(p) : Float64Array.from(p)));
  return queries.map((raw) => {
    const q = metric === 'cosine' ? unit(raw) : Float64Array.from(raw);
    const scored = prepared.map((p, i) => {
      let s = 0;
      if (metric === 'cosine') for (let j = 0; j < q.length; j++) s -= q[j]! * p[j]!;
      else for (let j = 0; j < q.length; j++) s += (q[j]! - p[j]!) ** 2;
      return [s, i] as const;
    });
    scored.sort((a, b) => a[0] - b[0]);
    return scored.slice(0, k).map(([, i]) => i);
  });
}

/** Mean fraction of the exact neighbours that `found` holds, query by query. */
export function recallAt(found: number[][], truth: number[][]): number {
  let hits = 0;
  let total = 0;
  truth.forEach((t, i) => {
    const got = new Set(found[i]);
    hits += t.filter((x) => got.has(x)).length;
    total += t.length;
  });
  return total === 0 ? 1 : hits / total;
}
