import { describe, expect, it } from 'vitest';
import { balanceCheck } from '../../src/health/balance.js';
import { Closest } from '../../src/health/closest.js';
import { DisjointSets } from '../../src/health/disjoint-sets.js';
import { NeighborTable } from '../../src/health/neighbor-table.js';
import { PurityTally } from '../../src/health/purity.js';
import { duplicateRadius, EXACT_DISTANCE } from '../../src/reference/duplicate-radius.js';
import { ConceptSpreads } from '../../src/health/spread.js';

/** The list of `row`, nearest first. */
function listOf(table: NeighborTable, row: number): { neighbors: number[]; distances: number[] } {
  const at = Array.from({ length: table.count(row) }, (_, j) => j);
  return { neighbors: at.map((j) => table.neighbor(row, j)), distances: at.map((j) => table.distance(row, j)) };
}

describe('health math', () => {
  it('when the radius is relative, then it scales linear distance: squared under cosine, as is under l2', () => {
    expect(duplicateRadius('l2', 0.25, 8)).toBe(2);
    expect(duplicateRadius('cosine', 0.25, 0.016)).toBeCloseTo(0.001, 12);
    // On unit vectors the chord is √(2(1 − cos)): a quarter of the chord is a sixteenth of 1 − cos.
    const chord = (d: number) => Math.sqrt(2 * d);
    expect(chord(duplicateRadius('cosine', 0.25, 0.016)) / chord(0.016)).toBeCloseTo(0.25, 12);
    expect(duplicateRadius('cosine', 0.25, undefined)).toBe(EXACT_DISTANCE);
  });

  it('when pairs are joined, then groups come out largest first with members ascending', () => {
    const sets = new DisjointSets(8);
    sets.union(5, 1);
    sets.union(6, 7);
    sets.union(7, 2);
    expect(sets.groups()).toEqual([
      [2, 6, 7],
      [1, 5],
    ]);
  });

  it('when more items are offered than kept, then the smallest keys remain, in order', () => {
    const kept = new Closest<string>(3);
    for (let i = 40; i > 0; i--) kept.offer(i, `#${i}`);
    expect(kept.values()).toEqual(['#1', '#2', '#3']);
  });

  it('when neighbours are tallied, then purity is the share with the own concept and crossings form the confused pairs', () => {
    const tally = new PurityTally(3);
    // Rows 0–2 (concepts 0, 1, 2) with four neighbours each among rows 3–8.
    const concepts = [[0], [1], [2], [0], [1], [1], [0], [2], [2]];
    const table = new NeighborTable(4);
    table.reserve(3);
    table.set(0, [3, 4, 5, 6], [0.1, 0.2, 0.3, 0.4]);
    table.set(1, [4, 5, 3, 4], [0.1, 0.2, 0.3, 0.4]);
    table.set(2, [7, 8, 2, 7], [0.1, 0.2, 0.3, 0.4]);
    expect(tally.add(0, table, concepts)).toBe(0.5);
    expect(tally.add(1, table, concepts)).toBe(0.75);
    expect(tally.add(2, table, concepts)).toBe(1);
    expect(tally.purities()).toEqual([
      { concept: 0, purity: 0.5, examples: 1 },
      { concept: 1, purity: 0.75, examples: 1 },
      { concept: 2, purity: 1, examples: 1 },
    ]);
    // 2 + 1 of the 8 links of concepts 0 and 1 cross between them.
    expect(tally.confused(5)).toEqual([{ concepts: [0, 1], share: 3 / 8 }]);
  });

  it('when one concept is three times as spread as the others, then it alone is wide', async () => {
    const points = [
      [1, 0], [-1, 0], [0, 1], [0, -1], // concept 0 around the origin, RMS 1
      [11, 0], [9, 0], [10, 1], [10, -1], // concept 1 around (10, 0), RMS 1
      [23, 0], [17, 0], [20, 3], [20, -3], // concept 2 around (20, 0), RMS 3
    ];
    const spreads = await ConceptSpreads.measure(Float32Array.from(points.flat()), 2, points.map((_, i) => i), (r) => [Math.floor(r / 4)], 3);
    expect([...spreads.spread]).toEqual([1, 1, 3]);
    expect(spreads.wide(2)).toEqual({ median: 1, wide: [2], measured: [0, 1, 2] });
    expect(spreads.distance(8, 2)).toBe(3);
  });

  it('when a concept has no examples or counts differ past the ratio, then balance warns and says which', () => {
    const check = balanceCheck(['a', 'b', 'c'], [200, 10, 0], 210, 10);
    expect(check.status).toBe('warn');
    expect(check.details).toMatchObject({ ratio: 20, missing: ['c'], smallest: { concept: 'b', count: 10 } });
    expect(balanceCheck(['a', 'b'], [100, 20], 120, 10).status).toBe('ok');
  });

  it('when every concept has as many train examples, then balance says so instead of naming one concept as both smallest and largest', () => {
    expect(balanceCheck(['lager', 'stout'], [1, 1], 2, 10).message).toBe('Every concept has 1 train example (1.0×, limit 10×).');
    expect(balanceCheck(['a', 'b', 'c'], [40, 40, 40], 120, 10).message).toBe('Every concept has 40 train examples (1.0×, limit 10×).');
    expect(balanceCheck(['a', 'b'], [100, 20], 120, 10).message).toBe('Train counts range from 20 (b) to 100 (a), 5.0× (limit 10×).');
  });

  it('when neighbours are offered in any order, then a list keeps the k nearest, ties by row, and its k-th distance', () => {
    const offers: [number, number][] = [[7, 0.5], [3, 0.2], [9, 0.2], [4, 0.9], [1, 0.1], [2, 0.5]];
    const lists = [new NeighborTable(3), new NeighborTable(3)];
    for (const t of lists) t.reserve(2);
    offers.forEach(([row, d]) => lists[0]!.offer(0, row, d));
    [...offers].reverse().forEach(([row, d]) => lists[1]!.offer(0, row, d));
    for (const t of lists) {
      expect(listOf(t, 0).neighbors).toEqual([1, 3, 9]);
      expect(t.kth(0)).toBe(0.2);
    }
    // Short lists take anything; an offer no nearer than the k-th, or a row already listed, changes nothing.
    expect(lists[0]!.kth(1)).toBe(Infinity);
    expect(lists[0]!.offer(0, 5, 0.2)).toBe(false);
    expect(lists[0]!.offer(0, 1, 0.05)).toBe(false);
    expect(lists[0]!.offer(0, 5, 0.15)).toBe(true);
    expect(listOf(lists[0]!, 0).distances).toEqual([0.1, 0.15, 0.2]);
  });
});
