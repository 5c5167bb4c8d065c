import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusteredData } from '../support/clustered-data.js';
import { HnswIndex, searchEach } from '../../src/vectors/hnsw-index.js';
import { BULK_ADDS, ReplicatedIndex } from '../../src/vectors/replicated-index.js';
import { MIN_QUERIES_PER_PART, SearchPool } from '../../src/vectors/search-pool.js';
import type { SearchReplicas } from '../../src/vectors/search-replicas.js';
import { SearchWorker } from '../../src/vectors/search-worker.js';
import type { Metric } from '../../src/vectors/vector-index.js';
import { tempDataDir } from '../support/server.js';

const DIM = 32;
const KEY = 7;
/** Which of `threads` ready threads keeps up with KEY in a bulk load (`SearchPool.holdBack`). */
const KEEPS = (threads: number) => KEY % threads;
const keepingUp = (threads: number) => Array.from({ length: threads }, (_, i) => i === KEEPS(threads));
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

/** An index of the first `n` points, saved to a temp file, replicated in `worker` (one thread or a pool). */
async function replicated(worker: SearchReplicas, metric: Metric, n: number, opts: { key?: number; bulkWith?: ReplicatedIndex } = {}) {
  const file = path.join(tempDataDir(), 'train.hnsw');
  const local = HnswIndex.create(metric, DIM);
  points.slice(0, n).forEach((p, i) => local.add(i, p));
  local.save(file);
  const index = new ReplicatedIndex(local, opts.key ?? KEY, opts.bulkWith);
  await index.replicate(worker, file);
  return { local, index, file };
}

/** Waits on the wall clock for a worker thread to (re)start: a hang detector sized for a loaded 2-core machine, not a timing check. */
async function until(cond: () => boolean) {
  const deadline = Date.now() + 60_000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
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

  it('when a batch holds a point neither copy can take, then the add fails and searches still answer exactly as the main thread', async () => {
    const worker = startWorker();
    const { local, index } = await replicated(worker, 'cosine', 2000);
    await expect(index.addMany([{ label: 2000, vector: points[2000]! }, { label: 2001, vector: [1, 2, 3] }])).rejects.toThrow();
    expect(local.has(2000)).toBe(true);
    // The replica was given the batch first; it ends its thread on the bad point, so the answer is the main thread's own.
    expect(await index.searchMany(queries, 10)).toEqual(searchEach(local, queries, 10));
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

describe('a pool of search threads', () => {
  const pools: SearchPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  function startPool(size: number): SearchPool {
    const pool = new SearchPool(pino({ level: 'silent' }), size);
    pool.start();
    pools.push(pool);
    return pool;
  }

  it.each(['cosine', 'l2'] as const)('when %s replicas in every thread get the catch-up adds, then every thread answers exactly as the primary', async (metric) => {
    const pool = startPool(3);
    const { local, index } = await replicated(pool, metric, 1200);
    points.slice(1200).forEach((p, i) => index.add(1200 + i, p));
    // A bulk load (more than BULK_ADDS): two threads held the adds back; the next quiet poll catches them up.
    expect(pool.readyCount(KEY)).toBe(1);
    await index.settle();
    await index.settle();
    expect(pool.readyCount(KEY)).toBe(3);
    const primary = searchEach(local, queries, 10);
    expect(primary.every((n) => n.labels.length === 10)).toBe(true);
    for (const thread of pool.members) expect(await thread.search(KEY, queries, 10)).toEqual(primary);
    expect(await index.searchMany(queries, 10)).toEqual(primary);
  });

  it('when a successor index of the same data replicates beside an index, then each answers from its own replicas, and a detached one answers on the main thread', async () => {
    const pool = startPool(2);
    const { local, index } = await replicated(pool, 'l2', 1000);
    // The successor (a rebase's snapshot set): fewer points so far, under a key of its own.
    const file = path.join(tempDataDir(), 'train.hnsw');
    const successorLocal = HnswIndex.create('l2', DIM);
    points.slice(0, 400).forEach((p, i) => successorLocal.add(i, p));
    successorLocal.save(file);
    const successor = new ReplicatedIndex(successorLocal, KEY + 1);
    await successor.replicate(pool, file);
    expect(await index.searchMany(queries, 10)).toEqual(searchEach(local, queries, 10));
    expect(await successor.searchMany(queries, 10)).toEqual(searchEach(successorLocal, queries, 10));
    expect(searchEach(successorLocal, queries, 10)).not.toEqual(searchEach(local, queries, 10));

    index.detach();
    expect(pool.readyCount(KEY)).toBe(0);
    expect(pool.readyCount(KEY + 1)).toBe(2);
    // Adds to the detached index reach no thread; its searches run here, over every point.
    index.add(1000, points[1000]!);
    expect(await index.searchMany(queries, 10)).toEqual(searchEach(local, queries, 10));
    expect(await successor.searchMany(queries, 10)).toEqual(searchEach(successorLocal, queries, 10));
    await expect(pool.search(KEY, queries, 10)).rejects.toThrow(/no search replica/);
  });

  it('when a bulk load arrives, then all threads but one hold their adds back, and once it quiets every thread answers exactly as the primary again', async () => {
    const pool = startPool(3);
    const { local, index } = await replicated(pool, 'cosine', 1000);
    // Float32 values, as the reference set reads them from the database: posted as float32, exactly.
    const bulk = points.slice(1000, 1000 + BULK_ADDS + 700).map((p) => Float32Array.from(p));
    bulk.forEach((p, i) => index.add(1000 + i, p));
    expect(index.behind).toBe(true);
    expect(pool.members.map((t) => t.ready(KEY))).toEqual(keepingUp(3));
    const primary = searchEach(local, queries, 10);
    // Searches go to the one that keeps up, which answers exactly; those held back answer nothing.
    expect(await index.searchMany(queries, 10)).toEqual(primary);
    await expect(pool.members[(KEEPS(3) + 1) % 3]!.search(KEY, queries, 10)).rejects.toThrow();
    // Still bulk: the next settle sees BULK_ADDS more and keeps them held back.
    points.slice(2200, 2200 + BULK_ADDS).forEach((p, i) => index.add(2200 + i, p));
    await index.settle();
    expect(index.behind).toBe(true);
    // A quiet interval (fewer adds than BULK_ADDS): they insert what they kept, in order, and answer again.
    points.slice(2700, 2750).forEach((p, i) => index.add(2700 + i, p));
    const catchingUp = index.settle();
    // Adds made while they insert what they kept join the end, in order.
    points.slice(2750, 2800).forEach((p, i) => index.add(2750 + i, p));
    await catchingUp;
    expect(index.behind).toBe(false);
    expect(pool.readyCount(KEY)).toBe(3);
    const after = searchEach(local, queries, 10);
    for (const thread of pool.members) expect(await thread.search(KEY, queries, 10)).toEqual(after);
  });

  it('when a bulk batch is added in one call, repeats included, then each point goes in once, the threads but one hold back past BULK_ADDS, and every thread ends equal to the primary', async () => {
    const pool = startPool(2);
    const { local, index } = await replicated(pool, 'cosine', 1000);
    const batch = points.slice(1000, 1000 + BULK_ADDS + 300).map((p, i) => ({ label: 1000 + i, vector: Float32Array.from(p) }));
    // A point already in and a repeat within the batch: neither is inserted twice (hnswlib would throw on a replica).
    await index.addMany([{ label: 5, vector: points[5]! }, ...batch, batch[0]!]);
    expect(local.size).toBe(1000 + BULK_ADDS + 300);
    expect(index.behind).toBe(true);
    expect(pool.members.map((t) => t.ready(KEY))).toEqual(keepingUp(2));
    const primary = searchEach(local, queries, 10);
    expect(await index.searchMany(queries, 10)).toEqual(primary);
    await index.addMany([]);
    await index.settle();
    await index.settle();
    expect(index.behind).toBe(false);
    for (const thread of pool.members) expect(await thread.search(KEY, queries, 10)).toEqual(primary);
  });

  it('when an index is saved during a bulk load, then the thread that keeps up writes it, after the adds posted before and before those after, the same bytes as the main thread writes', async () => {
    const pool = startPool(2);
    const { local, index, file } = await replicated(pool, 'l2', 1000);
    await index.addMany(points.slice(1000, 1000 + BULK_ADDS + 200).map((p, i) => ({ label: 1000 + i, vector: p })));
    expect(pool.members.map((t) => t.ready(KEY))).toEqual(keepingUp(2));
    const here = local.write(file, `${file}.here`);
    const there = index.writeElsewhere(file, `${file}.there`);
    expect(there).toBeDefined();
    // Added after the write was asked for: in neither file.
    await index.addMany(points.slice(2000, 2300).map((p, i) => ({ label: 2000 + i, vector: p })));
    const written = await there!;
    expect(written).toEqual({ ...here, tmp: `${file}.there` });
    expect(written.count).toBe(1000 + BULK_ADDS + 200);
    expect(fs.readFileSync(written.tmp).equals(fs.readFileSync(here.tmp))).toBe(true);
    expect(local.size).toBe(1000 + BULK_ADDS + 500);
  });

  it('when no thread holds a ready replica, then writing elsewhere is declined and the caller writes on the main thread', async () => {
    const local = HnswIndex.create('cosine', DIM);
    points.slice(0, 200).forEach((p, i) => local.add(i, p));
    // Never replicated, and replicated in a pool whose only thread is holding adds back.
    expect(new ReplicatedIndex(local, KEY).writeElsewhere('/nowhere', '/nowhere.tmp')).toBeUndefined();
    const pool = startPool(1);
    const { index } = await replicated(pool, 'cosine', 500);
    pool.members[0]!.defer(KEY);
    expect(index.writeElsewhere('/nowhere', '/nowhere.tmp')).toBeUndefined();
  });

  it('when the caller offers a share of a batch search during a bulk load, then it searches that share itself, and the joined answer equals the primary’s whatever the share; at other times the threads take it all', async () => {
    const pool = startPool(2);
    const { local, index } = await replicated(pool, 'cosine', 1000);
    await index.addMany(points.slice(1000, 1000 + BULK_ADDS).map((p, i) => ({ label: 1000 + i, vector: p })));
    expect(index.behind).toBe(true);
    const primary = searchEach(local, queries, 10);
    const depth = () => pool.members.map((t) => t.depth).reduce((a, b) => a + b);
    const asked = (here: number) => {
      const answer = index.searchMany(queries, 10, here);
      return { answer, posted: depth() };
    };
    for (const [here, posted] of [[0, 1], [0.4, 1], [0.99, 1], [0.999, 0], [1, 0]] as const) {
      const { answer, posted: n } = asked(here);
      expect(n).toBe(posted);
      expect(await answer).toEqual(primary);
    }
    // A share that rounds to no query, and an empty batch.
    expect(await index.searchMany(queries.subarray(0, DIM), 10, 0.4)).toEqual(primary.slice(0, 1));
    expect(await index.searchMany(new Float64Array(0), 10, 0.4)).toEqual([]);
    // Once the load quiets (a poll with BULK_ADDS, then a quiet one), both threads answer again and the offer is declined: each takes a part.
    await index.settle();
    await index.settle();
    expect(index.behind).toBe(false);
    const { answer, posted } = asked(1);
    expect(posted).toBe(2);
    expect(await answer).toEqual(primary);
  });

  it('when a batch search arrives, then every ready thread searches a part of it and the joined answer equals the primary’s, in order', async () => {
    const pool = startPool(3);
    const { local, index } = await replicated(pool, 'cosine', 1000);
    const primary = searchEach(local, queries, 10);
    // Shared memory, as scoring posts its queries: each part is a view of it.
    const shared = new Float64Array(new SharedArrayBuffer(queries.byteLength));
    shared.set(queries);
    const fewCount = 2 * MIN_QUERIES_PER_PART - 1;
    const answers = [queries, shared, queries.subarray(0, fewCount * DIM)].map((q) => index.searchMany(q, 10));
    // 400 queries in three parts of 133–134 (twice), then too few for MIN_QUERIES_PER_PART in each of two parts, so whole.
    expect(pool.members.map((t) => t.depth).reduce((a, b) => a + b)).toBe(7);
    expect(pool.members.map((t) => t.depth).sort()).toEqual([2, 2, 3]);
    const [plain, fromShared, few] = await Promise.all(answers);
    expect(plain).toEqual(primary);
    expect(fromShared).toEqual(primary);
    expect(few).toEqual(primary.slice(0, fewCount));
    expect(pool.members.map((t) => t.depth)).toEqual([0, 0, 0]);
  });

  it('when small searches arrive together, then each goes to the thread with the shortest queue', async () => {
    const pool = startPool(3);
    const { local, index } = await replicated(pool, 'cosine', 1000);
    const few = queries.subarray(0, (2 * MIN_QUERIES_PER_PART - 1) * DIM);
    const answers = [0, 1, 2, 3, 4, 5].map(() => index.searchMany(few, 10));
    expect(pool.members.map((t) => t.depth)).toEqual([2, 2, 2]);
    const primary = searchEach(local, few, 10);
    for (const answer of await Promise.all(answers)) expect(answer).toEqual(primary);
    expect(pool.members.map((t) => t.depth)).toEqual([0, 0, 0]);
  });

  it('when only one thread is ready, then a batch search goes to it whole', async () => {
    const pool = startPool(3);
    const { local, index } = await replicated(pool, 'cosine', 1000);
    pool.holdBack(KEY);
    expect(pool.readyCount(KEY)).toBe(1);
    const answer = index.searchMany(queries, 10);
    expect(pool.members.map((t) => t.depth)).toEqual(keepingUp(3).map(Number));
    expect(await answer).toEqual(searchEach(local, queries, 10));
  });

  it('when two indexes with consecutive keys are loaded in bulk together, then they keep up on different threads', async () => {
    const pool = startPool(2);
    const first = await replicated(pool, 'cosine', 600);
    const second = await replicated(pool, 'cosine', 300, { key: KEY + 1 });
    pool.holdBack(KEY);
    pool.holdBack(KEY + 1);
    const keeps = (key: number) => pool.members.findIndex((t) => t.ready(key));
    expect(pool.readyCount(KEY)).toBe(1);
    expect(pool.readyCount(KEY + 1)).toBe(1);
    expect(keeps(KEY)).not.toBe(keeps(KEY + 1));
    expect(await first.index.searchMany(queries, 10)).toEqual(searchEach(first.local, queries, 10));
    expect(await second.index.searchMany(queries, 10)).toEqual(searchEach(second.local, queries, 10));
  });

  it('when an index loaded in bulk with another gets few points, then it holds back while the other does, and both answer as their primaries once the load quiets', async () => {
    const pool = startPool(2);
    const train = await replicated(pool, 'cosine', 600);
    const { local: evalLocal, index: evalIndex } = await replicated(pool, 'cosine', 300, { key: KEY + 1, bulkWith: train.index });
    // A bulk load: BULK_ADDS train points, and a fifth as many eval points.
    await train.index.addMany(points.slice(600, 600 + BULK_ADDS).map((p, i) => ({ label: 600 + i, vector: p })));
    await evalIndex.addMany(points.slice(2000, 2000 + BULK_ADDS / 5).map((p, i) => ({ label: 2000 + i, vector: p })));
    expect(train.index.behind).toBe(true);
    expect(evalIndex.behind).toBe(true);
    expect(pool.readyCount(KEY + 1)).toBe(1);
    expect(await evalIndex.searchMany(queries, 10)).toEqual(searchEach(evalLocal, queries, 10));
    // The poll after the load: the train replicas still see BULK_ADDS and stay back, and so do the eval ones.
    await train.index.settle();
    await evalIndex.settle();
    expect(evalIndex.behind).toBe(true);
    // A quiet poll: both catch up, and every thread answers as the primaries.
    await Promise.all([train.index.settle(), evalIndex.settle()]);
    expect(train.index.behind).toBe(false);
    expect(evalIndex.behind).toBe(false);
    for (const thread of pool.members) {
      expect(await thread.search(KEY, queries, 10)).toEqual(searchEach(train.local, queries, 10));
      expect(await thread.search(KEY + 1, queries, 10)).toEqual(searchEach(evalLocal, queries, 10));
    }
  });

  it('when one thread dies, then the others keep answering and the restarted one is replicated again', async () => {
    const pool = startPool(2);
    const { local, index, file } = await replicated(pool, 'cosine', 1500);
    const [doomed, healthy] = pool.members;
    let restarts = 0;
    pool.onRestart(() => {
      restarts++;
      local.save(file);
      void index.replicate(pool, file);
    });
    doomed!.add(KEY, 1_000_000, [1, 2, 3]);
    await until(() => !doomed!.ready(KEY));
    expect(healthy!.ready(KEY)).toBe(true);
    points.slice(1500, 2000).forEach((p, i) => index.add(1500 + i, p));
    expect(await index.searchMany(queries, 10)).toEqual(searchEach(local, queries, 10));
    await until(() => pool.readyCount(KEY) === 2);
    expect(restarts).toBe(1);
    points.slice(2000).forEach((p, i) => index.add(2000 + i, p));
    const primary = searchEach(local, queries, 10);
    for (const thread of pool.members) expect(await thread.search(KEY, queries, 10)).toEqual(primary);
  });

  it('when the pool has no threads, then searches run on the main thread', async () => {
    const pool = startPool(0);
    const { local, index } = await replicated(pool, 'l2', 800);
    expect(pool.ready(KEY)).toBe(false);
    expect(await index.searchMany(queries, 10)).toEqual(searchEach(local, queries, 10));
  });
});

describe.runIf(process.platform === 'linux')('search threads at a lower priority', () => {
  const niceCount = (nice: number) =>
    fs
      .readdirSync('/proc/self/task')
      .map(Number)
      .filter((tid) => {
        try {
          return os.getPriority(tid) === nice;
        } catch {
          return false; // the thread ended meanwhile
        }
      }).length;

  it('when the pool runs, then its threads carry their names in /proc and the main thread keeps its own', async () => {
    const comm = (tid: string) => {
      try {
        return fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      } catch {
        return undefined; // the thread ended meanwhile
      }
    };
    const own = comm(String(process.pid));
    const pool = new SearchPool(pino({ level: 'silent' }), 2);
    pool.start();
    try {
      await replicated(pool, 'l2', 300);
      const names = fs.readdirSync('/proc/self/task').map(comm);
      expect(names.filter((n) => n === 'dl-search-0' || n === 'dl-search-1').sort()).toEqual(['dl-search-0', 'dl-search-1']);
      expect(comm(String(process.pid))).toBe(own);
    } finally {
      await pool.close();
    }
  });

  // Six steps below the process's own priority: under `nice -n 10` that is 16 (the pool never raises a priority).
  const own = os.getPriority();
  const nice = own + 6;

  it.runIf(nice <= 19)('when the pool runs six steps nicer than the process, then its two threads, and only they, run at that nice value and answer as before', async () => {
    const before = niceCount(nice);
    const pool = new SearchPool(pino({ level: 'silent' }), 2, nice);
    pool.start();
    try {
      const { local } = await replicated(pool, 'l2', 500);
      expect(niceCount(nice) - before).toBe(2);
      expect(os.getPriority()).toBe(own);
      expect(await pool.search(KEY, queries, 5)).toEqual(searchEach(local, queries, 5));
    } finally {
      await pool.close();
    }
  });
});
