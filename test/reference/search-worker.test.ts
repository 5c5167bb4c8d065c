import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusteredData } from '../support/clustered-data.js';
import { HnswIndex, searchEach } from '../../src/vectors/hnsw-index.js';
import { ReplicatedIndex } from '../../src/vectors/replicated-index.js';
import { SearchWorker } from '../../src/vectors/search-worker.js';
import type { Metric } from '../../src/vectors/vector-index.js';
import { tempDataDir } from '../support/server.js';

const DIM = 32;
const KEY = 7;
const data = new ClusteredData({ dim: DIM, clusters: 12, spread: 0.5, seed: 5 });
const points = Array.from({ length: 4000 }, (_, i) => data.point(i % 12));
const queries = Float64Array.from(Array.from({ length: 400 }, (_, i) => (i % 8 === 0 ? data.outlier() : data.point(data.cluster()))).flat());

const workers: SearchWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

function startWorker(): SearchWorker {
  const worker = new SearchWorker(pino({ level: 'silent' }));
  worker.start();
  workers.push(worker);
  return worker;
}

/** An index of the first `n` points, saved to a temp file, replicated in `worker`. */
async function replicated(worker: SearchWorker, metric: Metric, n: number) {
  const file = path.join(tempDataDir(), 'train.hnsw');
  const local = HnswIndex.create(metric, DIM);
  points.slice(0, n).forEach((p, i) => local.add(i, p));
  local.save(file);
  const index = new ReplicatedIndex(local, KEY);
  await index.replicate(worker, file);
  return { local, index, file };
}

async function until(cond: () => boolean) {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(cond()).toBe(true);
}

describe('search worker replicas', () => {
  it.each(['cosine', 'l2'] as const)('when a %s replica loaded from the saved index gets the same adds, then its answers equal the main thread’s exactly', async (metric) => {
    const worker = startWorker();
    const { local, index } = await replicated(worker, metric, 1500);
    // Past two resizes. hnswlib draws these points' levels from a generator that loading resets:
    // had the original not continued from the saved file (`reopen`), the graphs would differ.
    points.slice(1500).forEach((p, i) => index.add(1500 + i, p));
    expect(worker.ready(KEY)).toBe(true);
    const main = searchEach(local, queries, 10);
    expect(await worker.search(KEY, queries, 10)).toEqual(main);
    expect(await index.searchMany(queries, 10)).toEqual(main);
    expect(main.every((n) => n.labels.length === 10)).toBe(true);
  });

  it('when the worker thread dies, then searches run on the main thread and a restarted worker is replicated again', async () => {
    const worker = startWorker();
    const { local, index, file } = await replicated(worker, 'cosine', 2000);
    let restarts = 0;
    worker.onRestart(() => {
      restarts++;
      local.save(file);
      void index.replicate(worker, file);
    });
    // A replica that cannot take an add ends its thread rather than answer from a stale graph.
    worker.add(KEY, 1_000_000, [1, 2, 3]);
    const during = index.searchMany(queries, 10);
    points.slice(2000, 2500).forEach((p, i) => index.add(2000 + i, p));
    expect(await during).toEqual(searchEach(local, queries, 10));
    await until(() => worker.ready(KEY));
    expect(restarts).toBe(1);
    points.slice(2500).forEach((p, i) => index.add(2500 + i, p));
    expect(await worker.search(KEY, queries, 10)).toEqual(searchEach(local, queries, 10));
  });

  it('when the replica file cannot be read, then loading fails and searches stay on the main thread', async () => {
    const worker = startWorker();
    const { local, index, file } = await replicated(worker, 'cosine', 500);
    fs.writeFileSync(file, 'not an index');
    await expect(worker.load(KEY, { file, metric: 'cosine', dim: DIM, params: local.params })).rejects.toThrow();
    expect(worker.ready(KEY)).toBe(false);
    expect(await index.searchMany(queries, 10)).toEqual(searchEach(local, queries, 10));
  });
});
