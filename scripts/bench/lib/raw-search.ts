import { Worker } from 'node:worker_threads';
import type { Metric } from '../../../src/vectors/vector-index.js';
import { workerEntryUrl } from '../../../src/util/worker-entry.js';

export interface ParallelSearch {
  threads: number;
  /** All threads' searches over the time from the common start to the last one's end. */
  rate: number;
  /** Each thread's own rate and CPU ms per `per` searches. */
  perThread: { rate: number; cpuPer: number }[];
}

/**
 * The raw hnswlib searchKnn rate of `threads` threads at once, each searching its own copy of
 * the saved index (as the service's search threads do) with the same queries and nothing else
 * running in this process: what the cores give the search itself when all of them search.
 */
export async function parallelRawSearch(file: string, metric: Metric, dim: number, k: number, queries: number[][], threads: number, per: number): Promise<ParallelSearch> {
  const packed = new Float64Array(new SharedArrayBuffer(queries.length * dim * 8));
  queries.forEach((q, i) => packed.set(q, i * dim));
  const gate = new Int32Array(new SharedArrayBuffer(8));
  const workers = Array.from({ length: threads }, () => new Worker(workerEntryUrl('raw-search.worker', import.meta.url), { workerData: { file, metric, dim, k, queries: packed, gate } }));
  let failed: Error | undefined;
  const results = workers.map(
    (w) =>
      new Promise<{ seconds: number; cpuMs: number; searches: number }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', (err) => reject((failed = err)));
      }),
  );
  // Start all at once, after every copy is loaded and warm.
  while (Atomics.load(gate, 0) < threads && !failed) await new Promise((r) => setTimeout(r, 20));
  Atomics.store(gate, 1, 1);
  Atomics.notify(gate, 1);
  const done = await Promise.all(results);
  await Promise.all(workers.map((w) => w.terminate()));
  const searches = done.reduce((a, d) => a + d.searches, 0);
  return {
    threads,
    rate: searches / Math.max(...done.map((d) => d.seconds)),
    perThread: done.map((d) => ({ rate: d.searches / d.seconds, cpuPer: (d.cpuMs / d.searches) * per })),
  };
}
