import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32, gaussian } from '../../src/util/random.js';
import { exactKey, GenerationalIndex } from '../../src/vectors/generational-index.js';
import { HnswIndex } from '../../src/vectors/hnsw-index.js';

describe('a generational index', () => {
  const params = GenerationalIndex.params({ m: 12, efConstruction: 48, efSearch: 48 }, 3);
  const unit = (i: number) => Array.from({ length: 16 }, (_, d) => (d === i ? 1 : 0.01));
  const fresh = () => new GenerationalIndex(3, [HnswIndex.create('cosine', 16, params), HnswIndex.create('cosine', 16, params)]);

  it('when points keep coming, then it holds the newest generationSize + ((n − 1) mod generationSize) + 1 of them, never more than two generations', () => {
    const index = fresh();
    const held: number[] = [];
    for (let n = 1; n <= 12; n++) {
      index.add(n, unit(n));
      held.push(index.size);
      const expected = n <= 6 ? n : 3 + ((n - 1) % 3) + 1;
      expect(Array.from({ length: n }, (_, i) => index.has(i + 1))).toEqual(Array.from({ length: n }, (_, i) => i + 1 > n - expected));
    }
    expect(held).toEqual([1, 2, 3, 4, 5, 6, 4, 5, 6, 4, 5, 6]);
    expect(index.generationRanges).toEqual([{ count: 3, first: 7, last: 9 }, { count: 3, first: 10, last: 12 }]);
  });

  it('when searched, then it merges both generations by distance', () => {
    const index = fresh();
    for (let n = 1; n <= 5; n++) index.add(n, unit(n));
    // 1, 2, 3 in the previous generation, 4 and 5 in the current one.
    const query = unit(2).map((x, d) => (d === 4 ? 0.5 : x));
    const found = index.search(query, 3);
    expect(found.labels.slice(0, 2)).toEqual([2, 4]);
    expect(found.distances).toEqual([...found.distances].sort((a, b) => a - b));
    expect(index.search(unit(5), 10).labels.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('when its generations are saved and loaded, then it continues where it was', () => {
    const index = fresh();
    for (let n = 1; n <= 5; n++) index.add(n, unit(n));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-generations-'));
    const files = index.generations.map((g, i) => {
      const file = path.join(dir, `g${i}.hnsw`);
      g.save(file);
      return file;
    });
    const loaded = new GenerationalIndex(3, files.map((file) => HnswIndex.load(file, 'cosine', 16, params)!));
    expect(loaded.generationRanges).toEqual(index.generationRanges);
    loaded.add(6, unit(6));
    loaded.add(7, unit(7));
    expect([1, 2, 3, 4, 5, 6, 7].map((l) => loaded.has(l))).toEqual([false, false, false, true, true, true, true]);
    expect(loaded.search(unit(7), 1).labels).toEqual([7]);
  });

  it('when an empty generation is saved and loaded, then it loads empty', () => {
    const index = fresh();
    index.add(1, unit(1));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-generations-')), 'empty.hnsw');
    index.generations[0].save(file);
    expect(HnswIndex.load(file, 'cosine', 16, params)!.size).toBe(0);
  });

  it('when a generation is full, then a plain add past its capacity throws', () => {
    const g = HnswIndex.create('cosine', 16, params);
    for (let n = 1; n <= 3; n++) g.add(n, unit(n));
    expect(() => g.add(4, unit(4))).toThrow(/capacity of 3/);
  });

  describe('exact resends', () => {
    // Isotropic points in 64 dims on a sparse graph searched narrowly: the graph alone misses some of its own points.
    const DIM = 64;
    // A generation of 1,500: more keys than the 1,024 its map starts with.
    const hard = GenerationalIndex.params({ m: 4, efConstruction: 8, efSearch: 4 }, 1500);
    const normal = gaussian(mulberry32(11));
    const points = Array.from({ length: 2500 }, () => Array.from({ length: DIM }, () => normal()));
    const build = () => {
      const index = new GenerationalIndex(1500, [HnswIndex.create('cosine', DIM, hard), HnswIndex.create('cosine', DIM, hard)]);
      points.forEach((p, i) => index.add(i + 1, p));
      return index;
    };
    /** Held points that the graphs alone do not return first for their own values. */
    const graphMisses = (index: GenerationalIndex) =>
      points.filter((p, i) => index.has(i + 1) && !index.generations.some((g) => g.has(i + 1) && g.search(p, 1).labels[0] === i + 1)).length;
    const found = (index: GenerationalIndex) => points.filter((p, i) => index.has(i + 1) && index.search(p, 1).labels[0] === i + 1).length;

    it('when a held point is sent again with the same values, then the search returns it first, where the graph alone misses it too', () => {
      const index = build();
      expect(index.size).toBe(2500);
      expect(graphMisses(index)).toBeGreaterThan(20);
      expect(found(index)).toBe(2500);
      // At its distance to the query: zero, up to float32 rounding.
      const { distances } = index.search(points[5]!, 3);
      expect(distances[0]).toBeLessThan(1e-6);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
    });

    it('when its generations and exact maps are saved and loaded, then exact resends are still found; loaded without the maps, the graph misses some', () => {
      const index = build();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-exact-'));
      const files = index.generations.map((g, i) => {
        const file = path.join(dir, `g${i}.hnsw`);
        g.save(file);
        return file;
      });
      const load = () => files.map((file) => HnswIndex.load(file, 'cosine', DIM, hard)!);
      const state = JSON.parse(JSON.stringify(index.exactState()));
      expect(found(new GenerationalIndex(1500, load(), state))).toBe(2500);
      expect(found(new GenerationalIndex(1500, load()))).toBeLessThan(2500);
    });

    it('when a generation is dropped, then its points are no longer found, and a newer point with the same values is', () => {
      const index = new GenerationalIndex(3, [HnswIndex.create('cosine', 16, params), HnswIndex.create('cosine', 16, params)]);
      for (let n = 1; n <= 7; n++) index.add(n, unit(n));
      // 1, 2, 3 went with the first rotation; 8 repeats 1's values.
      expect(index.search(unit(1), 10).labels).not.toContain(1);
      index.add(8, unit(1));
      expect(index.search(unit(1), 1)).toEqual({ labels: [8], distances: [expect.closeTo(0, 6)] });
    });

    it('when saved keys do not fit the loaded files, then they are left out and the graphs alone answer', () => {
      const index = build();
      const other = new GenerationalIndex(1500, [HnswIndex.create('cosine', DIM, hard), HnswIndex.create('cosine', DIM, hard)]);
      other.add(1, points[0]!);
      const restored = new GenerationalIndex(1500, other.generations, index.exactState());
      expect(restored.search(points[1]!, 1).labels).toEqual([1]);
      expect(restored.exactState()).toEqual(['', '']);
    });

    it('when values differ in their float32 bits, then their keys differ; equal float32 values give one key whatever their array type', () => {
      const v = points[0]!;
      expect(exactKey(v)).toBe(exactKey(Float32Array.from(v)));
      expect(exactKey(v)).not.toBe(exactKey(v.map((x, d) => (d === 9 ? Math.fround(x) * (1 + 2 ** -20) : x))));
      expect(exactKey(v.slice(0, 8))).not.toBe(exactKey([...v.slice(0, 8), 0]));
      expect(Number.isInteger(exactKey(v)) && exactKey(v) >= 0 && exactKey(v) < 2 ** 31).toBe(true);
    });
  });
});
