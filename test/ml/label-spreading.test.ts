import { describe, expect, it } from 'vitest';
import { knnGraph, propagate, spreadLabels } from '../../scripts/bench/labels/label-spreading.js';
import type { LabeledRows } from '../../src/training/training-data.js';

/** Solves A·X = B (A n×n, B n×m) by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c < m[r]!.length; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row, i) => row.slice(n).map((v) => v / row[i]!));
}

describe('label spreading (the offline measurement of docs/regions.md)', () => {
  it('when iterated long enough, then F equals the closed form (1 − α)(I − αS)⁻¹Y of Zhou et al. on a small graph', () => {
    // A path 0–1–2–3–4 plus the chord 1–3; node 0 is concept 0, node 4 concept 1.
    const graph = [[1], [0, 2, 3], [1, 3], [2, 4, 1], [3]];
    const y = new Float32Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const alpha = 0.8;
    const f = propagate(graph, y, 5, 2, alpha, 400);
    const deg = graph.map((nb) => nb.length);
    const a = graph.map((_, i) => graph.map((__, j) => (i === j ? 1 : 0) - (graph[i]!.includes(j) ? alpha / Math.sqrt(deg[i]! * deg[j]!) : 0)));
    const expected = solve(a, [0, 1, 2, 3, 4].map((i) => [(1 - alpha) * y[2 * i]!, (1 - alpha) * y[2 * i + 1]!]));
    for (let i = 0; i < 5; i++) for (let c = 0; c < 2; c++) expect(f[2 * i + c]).toBeCloseTo(expected[i]![c]!, 10);
    // The middle node, symmetric between the two seeds, leans to neither.
    expect(f[4]).toBeCloseTo(f[5]!, 10);
  });

  it('when two clusters each hold one labeled item, then their unlabeled items get that label, and the k-NN graph is symmetric', () => {
    const around = (cx: number, i: number) => [cx + 0.01 * i, 0.02 * (i % 3)];
    const rows: LabeledRows = { ids: ['a', 'b', 'o'], n: 3, dim: 2, x: new Float32Array([...around(0, 0), ...around(5, 0), 9, 9]), y: new Float32Array([1, 0, 0, 1, 1, 0]), production: new Uint8Array([1, 1, 0]) };
    const unlabeled = [...Array.from({ length: 6 }, (_, i) => around(0, i + 1)), ...Array.from({ length: 6 }, (_, i) => around(5, i + 1))];
    const picked = spreadLabels(rows, 2, unlabeled, { k: 3, alpha: 0.9, minConfidence: 0.6 });
    expect(picked.map((p) => [p.index, p.concept])).toEqual(unlabeled.map((_, i) => [i, i < 6 ? 0 : 1]));
    expect(picked.every((p) => p.confidence > 0.99)).toBe(true);
    const graph = knnGraph(new Float32Array(unlabeled.flat()), 12, 2, 3);
    graph.forEach((nb, i) => nb.forEach((j) => expect(graph[j]).toContain(i)));
  });
});
