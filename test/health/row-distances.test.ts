import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { rowDistance, type ExampleSnapshot } from '../../src/health/example-snapshot.js';
import { RowBlock, RowBlockMemories } from '../../src/health/row-block.js';
import { mulberry32 } from '../../src/util/random.js';
import { compileWat, ROW_DISTANCES_KERNEL, wasmSource } from '../../scripts/lib/wat.js';

/** A snapshot of `size` seeded rows (unit length under cosine), as readExamples leaves them. */
function snapshotOf(size: number, dim: number, cosine: boolean, seed: number): ExampleSnapshot {
  const random = mulberry32(seed);
  const vectors = new Float32Array(size * dim);
  for (let r = 0; r < size; r++) {
    const v = Array.from({ length: dim }, () => random() - 0.5);
    const scale = cosine ? 1 / Math.hypot(...v) : 4;
    v.forEach((x, i) => (vectors[r * dim + i] = x * scale));
  }
  return { dim, cosine, size, maxSeq: size, trainRows: [], evalRows: [], isEval: new Uint8Array(size), ids: [], concepts: [], conceptNames: [], vectors, rowOf: new Map() };
}

/** The textbook distance, summed in index order in float64. */
function textbook(snap: ExampleSnapshot, a: number, b: number): number {
  const x = snap.vectors.subarray(a * snap.dim, (a + 1) * snap.dim);
  const y = snap.vectors.subarray(b * snap.dim, (b + 1) * snap.dim);
  let s = 0;
  for (let i = 0; i < snap.dim; i++) s += snap.cosine ? x[i]! * y[i]! : (x[i]! - y[i]!) ** 2;
  return snap.cosine ? Math.max(0, 1 - s) : Math.sqrt(s);
}

// Odd dimensions reach the coordinate outside the two lanes; 1 has nothing but it.
const SHAPES = [
  [1, true], [2, false], [3, true], [17, false], [64, true], [64, false], [129, true],
] as const;

describe('the row-distance kernel', () => {
  it('when row-distances.wat is compiled again, then it gives exactly the bytes committed in row-distances-wasm.ts', async () => {
    expect(wasmSource(ROW_DISTANCES_KERNEL, await compileWat(ROW_DISTANCES_KERNEL.wat))).toBe(await readFile(ROW_DISTANCES_KERNEL.ts, 'utf8'));
  });

  it.each(SHAPES)('when dim = %i (cosine %s), then a block gives rowDistance to the last bit, which is the textbook distance within rounding', (dim, cosine) => {
    const snap = snapshotOf(40, dim, cosine, dim);
    const rows = [3, 0, 17, 39, 8, 22, 5];
    const block = new RowBlock(new RowBlockMemories(), snap, rows);
    for (const query of [1, 17, 30]) {
      const got = Array.from(block.distancesFrom(query, rows.length));
      expect(got).toEqual(rows.map((r) => rowDistance(snap, r, query)));
      got.forEach((d, i) => {
        expect(rowDistance(snap, query, rows[i]!)).toBe(d);
        expect(Math.abs(d - textbook(snap, rows[i]!, query))).toBeLessThanOrEqual(1e-12);
      });
    }
    // A row against itself: exactly 0 under l2, and never below 0 under cosine.
    const self = block.distancesFrom(17, 3)[2]!;
    expect(self).toBeGreaterThanOrEqual(0);
    expect(self).toBeLessThanOrEqual(cosine ? 1e-6 : 0);
  });

  it('when asked for the first rows only, then it measures those and leaves the view that short', () => {
    const snap = snapshotOf(10, 5, false, 1);
    const block = new RowBlock(new RowBlockMemories(), snap, [9, 8, 7, 6]);
    const two = block.distancesFrom(0, 2);
    expect(Array.from(two)).toEqual([rowDistance(snap, 9, 0), rowDistance(snap, 8, 0)]);
    expect(block.distancesFrom(0, 0)).toHaveLength(0);
  });

  it('when the snapshot grows into a new array after the block is made, then the block still measures the rows it copied', () => {
    const snap = snapshotOf(12, 6, true, 2);
    const block = new RowBlock(new RowBlockMemories(), snap, [4, 5]);
    const expected = [rowDistance(snap, 4, 11), rowDistance(snap, 5, 11)];
    const grown = new Float32Array(snap.vectors.length * 2);
    grown.set(snap.vectors);
    snap.vectors = grown;
    expect(Array.from(block.distancesFrom(11, 2))).toEqual(expected);
  });

  it('when a block is released, then the next block reuses its memory, grown if it needs more, and measures right', () => {
    const memories = new RowBlockMemories();
    const small = new RowBlock(memories, snapshotOf(4, 3, true, 3), [0, 1]);
    small.release();
    const snap = snapshotOf(3000, 33, false, 4);
    const rows = Array.from({ length: 2500 }, (_, i) => i + 1);
    const large = new RowBlock(memories, snap, rows);
    expect(large.memory).toBe(small.memory);
    expect(Array.from(large.distancesFrom(0, rows.length))).toEqual(rows.map((r) => rowDistance(snap, r, 0)));
    // Held by `large`: the next block gets a memory of its own.
    expect(new RowBlock(memories, snap, [1]).memory).not.toBe(large.memory);
  });
});
