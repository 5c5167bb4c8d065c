/**
 * Bulk-loading benchmark: `npm run bench -- load [--examples 100000] [--dim 256] [--batch 1000] [--concurrency 2] [--port 0] [--encoding numbers|base64]`.
 *
 * Over HTTP on 127.0.0.1 against `npm start`'s service in its own process: uploads a clustered
 * training set in batches (each answered once it is stored and indexed), `--concurrency` of them
 * in flight (as a loader that serializes the next batch while the service indexes one), then stops the service
 * (SIGTERM saves the indexes) and measures, in the same run, the ceiling: raw hnswlib-node
 * insertion of the same points on one thread with the shipped parameters. Prints examples/s over
 * HTTP, the ceiling and their ratio, and recall@10 of the saved train index against exact
 * neighbours. While the load runs, a probe on its own thread asks `GET /healthz` every 50 ms and
 * prints the answers' latency: how long any other request (a labeler's claim) waits behind it.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { startServiceProcess } from '../lib/service-process.js';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { exactNeighbors, recallAt } from '../../test/support/recall.js';
import { DEFAULT_HNSW, HnswIndex } from '../../src/vectors/hnsw-index.js';
import { splitForId } from '../../src/util/hash-split.js';
import { embeddingEncoding, embeddingField, encodingLabel, postJson, processCpuMs, progressBar, putJson } from '../lib/bench-util.js';
import { describeHnswlibBuild } from '../../src/vectors/hnswlib-build.js';

const { values: args } = parseArgs({
  options: {
    examples: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '256' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '2' },
    port: { type: 'string', default: '0' },
    // How the embeddings are sent: JSON numbers (`embedding`), or base64 of their float32 bytes (`embeddingBase64`).
    encoding: { type: 'string', default: 'numbers' },
  },
});
const N = Number(args.examples);
const DIM = Number(args.dim);
const ENCODING = embeddingEncoding(args.encoding);
const BATCH = Number(args.batch);
const CONCURRENCY = Math.max(1, Number(args.concurrency));
const CLUSTERS = 50;
const GOAL = 1200;
const concepts = Array.from({ length: 10 }, (_, i) => `c${i}`);
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

/**
 * Asks `url` every 50 ms from a thread of its own (the benchmark's event loop serializes 1000-example
 * bodies, which would delay a probe run there) until stopped; resolves to each answer's latency in ms.
 */
function probeLatency(url: string): { stop: () => Promise<number[]> } {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const latencies = [];
    let stopped = false;
    parentPort.on('message', () => { stopped = true; });
    (async () => {
      while (!stopped) {
        const t = performance.now();
        const res = await fetch(workerData.url);
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 50));
      }
      parentPort.postMessage(latencies);
    })();`;
  const worker = new Worker(source, { eval: true, workerData: { url } });
  const done = new Promise<number[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const latencies = await done;
      await worker.terminate();
      return latencies;
    },
  };
}
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

// The ingest benchmark's data: 50 clusters, spread 0.6.
const data = new ClusteredData({ dim: DIM, clusters: CLUSTERS, spread: 0.6, seed: 42 });
const points = Array.from({ length: N }, (_, i) => data.point(i % CLUSTERS));
const idOf = (i: number) => `ex-${i}`;
const { m, efConstruction, efSearch } = DEFAULT_HNSW;
console.log(
  `driftloop bulk-loading benchmark: ${N} examples × ${DIM} dims (${CLUSTERS} clusters), batches of ${BATCH} (${CONCURRENCY} in flight, embeddings as ${encodingLabel(ENCODING)}), HNSW M=${m} efConstruction=${efConstruction}; ` +
    `${os.cpus().length} cores, node ${process.version}, hnswlib-node ${describeHnswlibBuild()}, load average ${loadavg()}`,
);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-load-'));
try {
  const svc = await startServiceProcess({ DRIFTLOOP_DATA_DIR: dataDir, PORT: args.port, LOG_LEVEL: 'warn' });
  const put = await putJson(`${svc.url}/v1/models/bench`, { task: 'multiclass', embeddingDim: DIM, concepts: concepts.map((id) => ({ id })) });
  if (put.status !== 201) throw new Error(JSON.stringify(put.body));
  const bodies: { examples: ({ id: string; concepts: string[] } & ({ embedding: number[] } | { embeddingBase64: string }))[] }[] = [];
  for (let i = 0; i < N; i += BATCH) {
    const examples = points.slice(i, i + BATCH).map((embedding, j) => ({
      id: idOf(i + j),
      ...embeddingField(embedding, ENCODING),
      concepts: [concepts[(i + j) % 10]!],
    }));
    bodies.push({ examples });
  }
  const bar = progressBar('loading over HTTP', N);
  const cpuBefore = processCpuMs(svc.child.pid!);
  const probe = probeLatency(`${svc.url}/healthz`);
  const started = performance.now();
  // Each sender posts the next batch not yet taken; the service stores them in the order they commit.
  let next = 0;
  const sender = async () => {
    for (let body = bodies[next++]; body; body = bodies[next++]) {
      const res = await postJson(`${svc.url}/v1/models/bench/examples`, body);
      if (res.status !== 200) throw new Error(JSON.stringify(res.body).slice(0, 500));
      bar.increment(body.examples.length);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  const httpSeconds = (performance.now() - started) / 1000;
  const cpuAfter = processCpuMs(svc.child.pid!);
  const latencies = await probe.stop();
  bar.stop();
  const httpLoad = loadavg();
  // Search replicas held back during the load insert what they kept once it quiets (off the main
  // thread): that CPU comes after the load; wait until the service idles to count it too.
  const settleStarted = performance.now();
  let cpuSettled = cpuAfter;
  for (let prev = cpuAfter; prev && performance.now() - settleStarted < 120_000; ) {
    await new Promise((r) => setTimeout(r, 1000));
    cpuSettled = processCpuMs(svc.child.pid!);
    // The catch-up starts at the second poll (a second apart) after the last batch.
    if (!cpuSettled || (performance.now() - settleStarted > 3000 && cpuSettled.total - prev.total < 150)) break;
    prev = cpuSettled;
  }
  const settleSeconds = (performance.now() - settleStarted) / 1000;
  svc.child.kill('SIGTERM');
  await svc.exited;

  // The ceiling: one thread inserting the same points (train and eval split alike) with the shipped parameters.
  const raw = { train: HnswIndex.create('cosine', DIM), eval: HnswIndex.create('cosine', DIM) };
  const rawStarted = performance.now();
  const rawCpu = process.cpuUsage();
  points.forEach((p, i) => (splitForId(idOf(i)) === 'train' ? raw.train : raw.eval).add(i, p));
  const rawSeconds = (performance.now() - rawStarted) / 1000;
  const rawUsed = process.cpuUsage(rawCpu);
  const rawCpuPerThousand = ((rawUsed.user + rawUsed.system) / 1000 / N) * 1000;

  const saved = HnswIndex.load(path.join(dataDir, 'indexes', 'model-1', 'train.hnsw'), 'cosine', DIM);
  if (!saved) throw new Error('the service saved no train index');
  // Batches in flight together commit in either order: the seq of each point is read from the database.
  const sqlite = new Database(path.join(dataDir, 'driftloop.sqlite'), { readonly: true });
  const seqOf = new Map((sqlite.prepare('SELECT id, seq FROM examples').all() as { id: string; seq: number }[]).map((r) => [r.id, r.seq]));
  sqlite.close();
  const trainIds = points.map((_, i) => i).filter((i) => splitForId(idOf(i)) === 'train');
  const queries = Array.from({ length: 200 }, () => data.point(data.cluster()));
  const truth = exactNeighbors(trainIds.map((i) => points[i]!), queries, 10, 'cosine').map((row) => row.map((j) => seqOf.get(idOf(trainIds[j]!))!));
  const recall = recallAt(queries.map((q) => saved.search(q, 10).labels), truth);

  const httpRate = N / httpSeconds;
  const rawRate = N / rawSeconds;
  console.log(`loaded over HTTP: ${N} examples in ${httpSeconds.toFixed(1)} s = ${httpRate.toFixed(0)} examples/s (goal ≥ ${GOAL}) (load average ${httpLoad})`);
  console.log(
    `during the load, GET /healthz every 50 ms from another thread (${latencies.length} answers): latency p50 ${quantile(latencies, 0.5).toFixed(1)} ms, ` +
      `p99 ${quantile(latencies, 0.99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
  );
  if (cpuBefore && cpuAfter) {
    const perThousand = (ms: number) => ((ms / N) * 1000).toFixed(0);
    const total = cpuAfter.total - cpuBefore.total;
    const main = cpuAfter.main - cpuBefore.main;
    console.log(`server CPU per 1000 examples: ${perThousand(total)} ms (main thread ${perThousand(main)} ms, other threads ${perThousand(total - main)} ms)`);
    if (cpuSettled) {
      const later = cpuSettled.total - cpuAfter.total;
      console.log(
        `after the load, until the service idled (${settleSeconds.toFixed(1)} s: held-back search replicas catching up): ${perThousand(later)} ms more per 1000, ` +
          `${perThousand(total + later)} ms in all`,
      );
    }
  }
  console.log(
    `ceiling, raw hnswlib-node insertion of the same points on one thread (train ${raw.train.size} + eval ${raw.eval.size}): ${rawSeconds.toFixed(1)} s = ${rawRate.toFixed(0)} examples/s, ` +
      `CPU ${rawCpuPerThousand.toFixed(0)} ms per 1000 (load average ${loadavg()})`,
  );
  console.log(`ratio HTTP loading / raw one-thread insertion: ${(httpRate / rawRate).toFixed(2)}`);
  console.log(`recall@10 of the service's train index (${saved.size} points, efSearch ${efSearch}) on 200 queries vs exact neighbours: ${recall.toFixed(3)} (goal ≥ 0.95)`);
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
