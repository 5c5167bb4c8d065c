import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GenerationalIndex } from '../../src/vectors/generational-index.js';
import { HnswIndex, type HnswParams } from '../../src/vectors/hnsw-index.js';
import { checkIndexFile, commitIndex } from '../../src/vectors/index-file.js';
import type { Metric } from '../../src/vectors/vector-index.js';
import { tempDataDir } from '../support/server.js';

// HnswIndex.writeElsewhere: hnswlib writes the graph on a libuv thread while the event loop goes
// on; points added meanwhile are held, searched exactly, and go into the graph once it is written.

const DIM = 16;
const PARAMS: HnswParams = { m: 8, efConstruction: 64, efSearch: 64 };
const point = (id: number) => Array.from({ length: DIM }, (_, j) => Math.sin(id * 7.3 + j * 1.1) + (j === id % DIM ? 2 : 0));

function filled(metric: Metric, n: number, params = PARAMS): HnswIndex {
  const index = HnswIndex.create(metric, DIM, params);
  for (let id = 1; id <= n; id++) index.add(id, point(id));
  return index;
}

/** Loads what `write` left in a temp file, through the checked path the saves use. */
function loadWritten(written: { file: string; tmp: string; metric: Metric; dim: number; count: number }, metric: Metric): HnswIndex {
  commitIndex(written, checkIndexFile(written));
  return HnswIndex.load(written.file, metric, DIM, PARAMS)!;
}

describe('writing an HNSW index off the event loop', () => {
  it('when points are added during the write, then the file is byte for byte a write taken when it began, and the points are searchable, then in the graph', async () => {
    const dir = tempDataDir();
    const index = filled('cosine', 2000);
    const file = path.join(dir, 'a.hnsw');
    const here = index.write(file, `${file}.here`);
    const there = index.writeElsewhere(file, `${file}.there`);
    expect(there).toBeDefined();
    for (let id = 10_001; id <= 10_300; id++) index.add(id, point(id));
    // Held, and found: exactly (distance 0 to itself), however the graph answers meanwhile.
    expect(index.size).toBe(2300);
    expect(index.has(10_150)).toBe(true);
    const found = index.search(point(10_150), 3);
    expect(found.labels[0]).toBe(10_150);
    expect(found.distances[0]).toBeCloseTo(0, 5);
    const norm = Math.hypot(...point(10_150));
    index.vector(10_150).forEach((x, j) => expect(x).toBeCloseTo(point(10_150)[j]! / norm, 6));
    // A second write while this one runs is declined, and a write here refused: the graph lacks the held points.
    expect(index.writeElsewhere(file, `${file}.again`)).toBeUndefined();
    expect(() => index.write(file, `${file}.sync`)).toThrow(/being written/);
    const written = await there!;
    expect(written.count).toBe(2000);
    expect(fs.readFileSync(written.tmp).equals(fs.readFileSync(here.tmp))).toBe(true);
    // Once it resolves, the held points are in the graph: a file written now holds them.
    const after = loadWritten(index.write(path.join(dir, 'b.hnsw')), 'cosine');
    expect(after.size).toBe(2300);
    expect(after.search(point(10_150), 1).labels).toEqual([10_150]);
    expect(index.search(point(10_150), 1).distances[0]).toBeCloseTo(0, 5);
  });

  it('when the metric is l2, then a held point is found at its Euclidean distance, as the graph finds it once inserted', async () => {
    const dir = tempDataDir();
    const index = filled('l2', 500);
    const query = point(7).map((x) => x + 100);
    const far = query.map((x, j) => x + (j === 0 ? 3 : j === 1 ? 4 : 0));
    const writing = index.writeElsewhere(path.join(dir, 'l2.hnsw'), path.join(dir, 'l2.hnsw.tmp'))!;
    index.add(9_999, far);
    const held = index.search(query, 1);
    expect(held.labels).toEqual([9_999]);
    expect(held.distances[0]).toBeCloseTo(5, 4);
    await writing;
    const inGraph = index.search(query, 1);
    expect(inGraph.labels).toEqual([9_999]);
    expect(inGraph.distances[0]).toBeCloseTo(held.distances[0]!, 4);
  });

  it('when more points are added than the graph has room for, then it grows for them once the write is done', async () => {
    const dir = tempDataDir();
    // 1,024 points fill the first allocation: the held ones need a resize, which must wait for the write.
    const index = filled('l2', 1024);
    const writing = index.writeElsewhere(path.join(dir, 'r.hnsw'), path.join(dir, 'r.hnsw.tmp'))!;
    for (let id = 2001; id <= 2500; id++) index.add(id, point(id));
    expect((await writing).count).toBe(1024);
    const after = loadWritten(index.write(path.join(dir, 'r2.hnsw')), 'l2');
    expect(after.size).toBe(1524);
  });

  it('when a generation being written is dropped, then its file is still whole and the graph is freed after', async () => {
    const dir = tempDataDir();
    const generations = new GenerationalIndex(100, [HnswIndex.create('l2', DIM, GenerationalIndex.params(PARAMS, 100)), HnswIndex.create('l2', DIM, GenerationalIndex.params(PARAMS, 100))]);
    for (let id = 1; id <= 200; id++) generations.add(id, point(id));
    const [previous] = generations.generations;
    const writing = previous.writeElsewhere(path.join(dir, 'p.hnsw'), path.join(dir, 'p.hnsw.tmp'))!;
    // Two more generations' worth: the one being written is dropped on the way.
    for (let id = 201; id <= 301; id++) generations.add(id, point(id));
    expect(generations.generations).not.toContain(previous);
    expect(previous.size).toBe(0);
    const written = await writing;
    expect(written.count).toBe(100);
    expect(loadWritten(written, 'l2').size).toBe(100);
    expect(previous.size).toBe(0);
    expect(generations.size).toBe(101);
  });
});
