import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GenerationalIndex } from '../../src/vectors/generational-index.js';
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
});
