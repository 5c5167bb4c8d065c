/**
 * One thread of the parallel raw-search ceiling (`raw-search.ts`): loads its own copy of the
 * saved index, warms up, waits for the common start, runs every query once and reports its
 * wall time and its own CPU time.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { HnswIndex } from '../../../src/vectors/hnsw-index.js';
import type { Metric } from '../../../src/vectors/vector-index.js';

interface Input {
  file: string;
  metric: Metric;
  dim: number;
  k: number;
  queries: Float64Array;
  /** [threads ready, go]. */
  gate: Int32Array;
}

const { file, metric, dim, k, queries, gate } = workerData as Input;
const index = HnswIndex.load(file, metric, dim);
if (!index) throw new Error(`cannot load ${file}`);
// Plain arrays made before the clock starts, as the one-thread measurement searches with.
const plain: number[][] = [];
for (let at = 0; at < queries.length; at += dim) plain.push(Array.from(queries.subarray(at, at + dim)));
for (const q of plain.slice(0, 200)) index.search(q, k);

// This thread's CPU time in ns (the scheduler's own count; /proc/thread-self is the calling thread).
const threadCpuNs = () => Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);

Atomics.add(gate, 0, 1);
Atomics.notify(gate, 0);
Atomics.wait(gate, 1, 0);
const cpu0 = threadCpuNs();
const t0 = performance.now();
for (const q of plain) index.search(q, k);
const seconds = (performance.now() - t0) / 1000;
const cpuMs = (threadCpuNs() - cpu0) / 1e6;
index.release();
parentPort!.postMessage({ seconds, cpuMs, searches: plain.length });
