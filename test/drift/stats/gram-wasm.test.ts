import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { blockRowsOf, GramMemories, rowBase, squaredDistancesOfRows, type GramMemory } from '../../../src/drift/stats/gram.js';
import { mulberry32 } from '../../../src/drift/stats/random.js';
import { compileWat, GRAM_KERNEL, wasmSource } from '../../../scripts/lib/wat.js';
import { pairwiseSquaredDistancesJs, squaredNorms } from '../../support/gram-js.js';

/** n seeded points of d float32-valued coordinates, with their norms, in a fresh gram memory. */
function pointsIn(n: number, d: number, seed: number): GramMemory {
  const gram = new GramMemories().acquire(n, d);
  const random = mulberry32(seed);
  for (let k = 0; k < n * d; k++) gram.points[k] = Math.fround(random() - 0.5);
  gram.norms.set(squaredNorms(gram.points, n, d));
  return gram;
}

function distances(gram: GramMemory, n: number, d: number, chunks = 1): Float64Array {
  for (let chunk = 0; chunk < chunks; chunk++) squaredDistancesOfRows(gram, n, d, blockRowsOf(n, chunk, chunks));
  return gram.squared;
}

// Shapes that reach every path of the kernel: blocks of four with an even and an odd number
// of later columns, a short last block, odd dimensions (a coordinate outside the f64x2 lanes).
const SHAPES = [[2, 1], [3, 2], [5, 3], [9, 16], [37, 16], [38, 17], [64, 1], [41, 129]] as const;

describe('the WebAssembly distance kernel', () => {
  it('when gram.wat is compiled again, then it gives exactly the bytes committed in gram-wasm.ts', async () => {
    expect(wasmSource(GRAM_KERNEL, await compileWat(GRAM_KERNEL.wat))).toBe(await readFile(GRAM_KERNEL.ts, 'utf8'));
  });

  it.each(SHAPES)('when n = %i and d = %i, then every distance is within rounding of the scalar JS pass', (n, d) => {
    const gram = pointsIn(n, d, n * 100 + d);
    const expected = pairwiseSquaredDistancesJs(Float64Array.from(gram.points), n, d);
    const actual = distances(gram, n, d);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const slot = rowBase(n, i) + j;
        // Only the summation order differs: a few ulps of the norms that cancel.
        expect(Math.abs(actual[slot] - expected[slot])).toBeLessThanOrEqual(1e-14 * (gram.norms[i] + gram.norms[j]));
      }
    }
  });

  it('when the rows are split into other chunks, then every distance is the same to the last bit', () => {
    const [n, d] = [41, 129];
    const whole = Float64Array.from(distances(pointsIn(n, d, 1), n, d, 1));
    for (const chunks of [2, 3, 8]) expect(distances(pointsIn(n, d, 1), n, d, chunks)).toEqual(whole);
  });

  it('when the points are reordered, then each pair keeps its distance to the last bit, whichever block computes it', () => {
    const [n, d] = [38, 17];
    const gram = pointsIn(n, d, 2);
    const before = Float64Array.from(distances(gram, n, d));
    const order = Array.from({ length: n }, (_, i) => (i * 7 + 3) % n);
    const shuffled = new GramMemories().acquire(n, d);
    order.forEach((from, to) => {
      shuffled.points.set(gram.points.subarray(from * d, from * d + d), to * d);
      shuffled.norms[to] = gram.norms[from];
    });
    const after = distances(shuffled, n, d);
    const at = (values: Float64Array, i: number, j: number) => values[rowBase(n, Math.min(i, j)) + Math.max(i, j)];
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) expect(at(after, a, b)).toBe(at(before, order[a], order[b]));
    }
  });

  it('when two points are identical, then their distance is 0 up to rounding and never below it', () => {
    const [n, d] = [6, 33];
    const gram = pointsIn(n, d, 3);
    for (const copy of [1, 5]) gram.points.copyWithin(copy * d, 0, d);
    gram.norms.set(squaredNorms(gram.points, n, d));
    const squared = distances(gram, n, d);
    for (const value of [squared[rowBase(n, 0) + 1], squared[rowBase(n, 0) + 5], squared[rowBase(n, 1) + 5]]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1e-14 * gram.norms[0]);
    }
  });

  it('when a memory is released, then the next test reuses it, grown if it needs more', () => {
    const memories = new GramMemories();
    const small = memories.acquire(10, 4);
    memories.release(small);
    const large = memories.acquire(300, 64);
    expect(large.memory).toBe(small.memory);
    expect(large.squared.byteOffset + large.squared.byteLength).toBeLessThanOrEqual(large.memory.buffer.byteLength);
    expect(memories.acquire(10, 4).memory).not.toBe(large.memory);
  });

  it('when the points and distances would not fit in a 4 GiB memory, then it throws a RangeError', () => {
    expect(() => new GramMemories().acquire(40_000, 512)).toThrow(RangeError);
  });
});
