/**
 * Drift benchmark: time to compute all five tests over a 1000-prediction window against a
 * 100k-example training split, at 64 and 512 dims, and the memory it takes.
 *
 *   npm run bench -- drift [--reference 100000] [--window 1000] [--dims 64,512] [--window-sample 500] [--reference-sample 500] [--runs 5] [--threads N]
 *
 * Each evaluation runs with the MMD kernel on N worker threads (default: the service's
 * default), while perf_hooks.monitorEventLoopDelay records the longest event-loop stall;
 * then the same data is evaluated again with the kernel on the event loop (threads 0), the
 * single-thread ceiling and what a blocked event loop looks like.
 *
 * Training rows and scored predictions are written straight through the repositories (the
 * benchmark measures drift evaluation, not HNSW ingestion); evaluation then runs through
 * the same DriftService the server uses, on a real SQLite file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import { pino } from 'pino';
import { createContainer, type Container } from '../../src/composition/container.js';
import { loadConfig } from '../../src/config.js';
import { insertExamples } from '../../src/examples/examples.repository.js';
import type { Model } from '../../src/models/model.js';
import { insertPredictions, type NewPredictionRow } from '../../src/predictions/predictions.repository.js';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { mulberry32 } from '../../src/util/random.js';
import { encodeVector } from '../../src/util/vectors.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const REFERENCE = Number(option('reference', '100000'));
const WINDOW = Number(option('window', '1000'));
const DIMS = option('dims', '64,512').split(',').map(Number);
const WINDOW_SAMPLE = Number(option('window-sample', '500'));
const REFERENCE_SAMPLE = Number(option('reference-sample', '500'));
const RUNS = Number(option('runs', '5'));
const THREADS = option('threads', String(loadConfig({}).computeThreads));
const CONCEPTS = Array.from({ length: 10 }, (_, i) => `c${i}`);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
/** JS heap plus array buffers (embeddings and kernel matrices live outside the heap). */
const jsMemory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

async function seed(s: Container, dim: number): Promise<Model> {
  const { model } = await s.models.put(`bench-${dim}`, {
    task: 'multiclass',
    embeddingDim: dim,
    concepts: CONCEPTS.map((id) => ({ id })),
    settings: { drift: { windowSize: WINDOW, evaluateEvery: 10_000_000, evaluateAfterSeconds: 1e9, mmd: { windowSample: WINDOW_SAMPLE, referenceSize: REFERENCE_SAMPLE } } },
  });
  const data = new ClusteredData({ dim, clusters: CONCEPTS.length, spread: 0.3, seed: dim });
  const bar = new cliProgress.SingleBar({ format: `  ${dim} dims: writing {value}/{total} training rows [{bar}] {eta}s`, stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar.start(REFERENCE, 0);
  const now = new Date().toISOString();
  for (let i = 0; i < REFERENCE; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, REFERENCE - i) }, (_, j) => {
      const c = (i + j) % CONCEPTS.length;
      return { model_id: model.id, id: `ex-${i + j}`, split: 'train' as const, source: 'original' as const, concepts_json: JSON.stringify([CONCEPTS[c]]), embedding: encodeVector(data.point(c)), input_json: null, metadata_json: null, created_at: now };
    });
    await s.database.db.transaction().execute((trx) => insertExamples(trx, rows));
    bar.update(i + rows.length);
  }
  bar.stop();
  await addPredictions(s, model, data, WINDOW, 0);
  return model;
}

async function addPredictions(s: Container, model: Model, data: ClusteredData, n: number, from: number): Promise<void> {
  const rand = mulberry32(from + 1);
  const now = new Date().toISOString();
  const rows: NewPredictionRow[] = Array.from({ length: n }, (_, i) => {
    const c = Math.floor(rand() * CONCEPTS.length);
    const top = 0.5 + 0.45 * rand();
    const ood = rand() < 0.06;
    return {
      model_id: model.id, id: `p-${from + i}`, embedding: encodeVector(data.point(c, 0.05)), scores_json: '{}', predicted: CONCEPTS[c]!, top_score: top,
      encoder: null, model_version: null, timestamp: now, input_json: null, metadata_json: null, ood_distance: ood ? 0.5 : 0.1, ood_score: ood ? 0.99 : rand() * 0.9,
      is_ood: ood ? 1 : 0, uncertainty: 1 - top, least_confidence: 1 - top, entropy: 0.5, knn_concept: CONCEPTS[c]!, knn_agreement: 1, disagreement: 0, priority: 0.2,
      neighbors_json: '[]', created_at: now,
    };
  });
  await s.database.db.transaction().execute((trx) => insertPredictions(trx, rows));
}

function measure<T>(fn: () => Promise<T>) {
  return async () => {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    // The main thread's garbage-collection pauses in the run, to tell a stall that is a GC from one that is our code.
    const pauses: PerformanceEntry[] = [];
    const gc = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
    gc.observe({ entryTypes: ['gc'] });
    const cpu = process.cpuUsage();
    const loop = performance.eventLoopUtilization();
    const wall = performance.now();
    const value = await fn();
    const used = process.cpuUsage(cpu);
    const end = performance.now();
    const wallMs = end - wall;
    // The event loop's busy time: the main thread's share (process CPU includes the worker threads).
    const mainMs = performance.eventLoopUtilization(loop).active;
    delay.disable();
    // Node records a collection's entry a turn after it: those of the run's last turn appear only now.
    await new Promise((resolve) => setImmediate(resolve));
    pauses.push(...gc.takeRecords());
    gc.disconnect();
    const gcMs = Math.max(0, ...pauses.filter((e) => e.startTime >= wall && e.startTime < end).map((e) => e.duration));
    // An evaluation that never yields leaves the histogram empty: then it stalled throughout.
    const stallMs = delay.count > 0 ? delay.max / 1e6 : wallMs;
    return { value, wallMs, stallMs, gcMs, mainMs, cpuMs: (used.user + used.system) / 1000 };
  };
}

const open = (dataDir: string, threads: string) =>
  createContainer(loadConfig({ DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DRIFTLOOP_COMPUTE_THREADS: threads }), { log: pino({ level: 'silent' }) });

/** A cold evaluation, then RUNS with the window moved by one prediction each, as the server runs them. */
async function evaluateRuns(s: Container, model: Model, data: ClusteredData, firstPrediction: number) {
  const cold = await measure(() => s.drift.evaluate(model))();
  const warm: { wallMs: number; cpuMs: number; mainMs: number; stallMs: number; gcMs: number; timings: Record<string, number>; mmd: string }[] = [];
  let peakHeap = 0;
  for (let r = 0; r < RUNS; r++) {
    // A new prediction moves the window, so every run recomputes every test (only the reference sample is cached).
    await addPredictions(s, model, data, 1, firstPrediction + r);
    const run = await measure(() => s.drift.evaluate(model))();
    peakHeap = Math.max(peakHeap, jsMemory());
    const mmd = run.value.evaluation.tests.find((t) => t.name === 'embedding_mmd');
    warm.push({ wallMs: run.wallMs, cpuMs: run.cpuMs, mainMs: run.mainMs, stallMs: run.stallMs, gcMs: run.gcMs, timings: run.value.evaluation.timingsMs, mmd: mmd?.pValue == null ? 'skipped' : `p ${mmd.pValue.toFixed(3)} after ${mmd.details.permutationsRun} permutations` });
  }
  const sorted = [...warm].sort((a, b) => a.wallMs - b.wallMs);
  return { cold, median: sorted[Math.floor(sorted.length / 2)]!, maxWall: sorted.at(-1)!.wallMs, maxStall: Math.max(...warm.map((w) => w.stallMs)), stalls: warm.map((w) => `${w.stallMs.toFixed(1)} (GC ${w.gcMs.toFixed(1)})`).join(', '), peakHeap };
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`drift benchmark: window ${WINDOW}, reference ${REFERENCE.toLocaleString('en-US')} train examples, MMD on ${WINDOW_SAMPLE} window + ${REFERENCE_SAMPLE} reference embeddings, ${THREADS} MMD threads, ${os.cpus().length} CPUs, load average ${load()}`);
for (const dim of DIMS) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-'));
  try {
    const data = new ClusteredData({ dim, clusters: CONCEPTS.length, spread: 0.3, seed: dim });
    const s = await open(dataDir, THREADS);
    let model: Model;
    let threaded;
    try {
      model = await seed(s, dim);
      threaded = await evaluateRuns(s, model, data, WINDOW);
    } finally {
      await s.close();
    }
    // The ceiling: the same data with the kernel on the event loop.
    const inline = await open(dataDir, '0');
    let blocking;
    try {
      blocking = await evaluateRuns(inline, await inline.models.get(model.name), data, WINDOW + RUNS);
    } finally {
      await inline.close();
    }
    const n = WINDOW_SAMPLE + REFERENCE_SAMPLE;
    const { cold, median } = threaded;
    console.log(`\n${dim} dims`);
    console.log(`  first evaluation (builds the reference sample and the reference index from ${REFERENCE.toLocaleString('en-US')} rows): ${cold.wallMs.toFixed(0)} ms wall, ${cold.cpuMs.toFixed(0)} ms CPU`);
    console.log(`  all five tests, window moved (median of ${RUNS}), MMD on ${THREADS} threads: ${median.wallMs.toFixed(0)} ms wall (goal < 150 ms), event loop busy ${median.mainMs.toFixed(0)} ms, process CPU ${median.cpuMs.toFixed(0)} ms (all threads); max ${threaded.maxWall.toFixed(0)} ms wall; longest event-loop stall ${threaded.maxStall.toFixed(1)} ms (goal < 20 ms)`);
    console.log(`  per run, longest stall (longest main-thread GC pause) ms: ${threaded.stalls}`);
    console.log(`  same, MMD on the event loop (ceiling: one thread): ${blocking.median.wallMs.toFixed(0)} ms wall, event loop busy ${blocking.median.mainMs.toFixed(0)} ms, longest event-loop stall ${blocking.maxStall.toFixed(1)} ms`);
    console.log(`  embedding_mmd: ${median.mmd}`);
    console.log(`  stages (ms, threaded): ${Object.entries(median.timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  stages (ms, event loop): ${Object.entries(blocking.median.timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  memory: cached reference sample ${mb(REFERENCE_SAMPLE * dim * 4)}; heap+buffers after a run at most ${mb(threaded.peakHeap)}; RSS ${mb(process.memoryUsage().rss)}, max RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
    console.log(`  bounded by: pooled MMD points ${n}×${dim} float64 = ${mb(n * dim * 8)}, kernel triangle ${n}·${n - 1}/2 float64 = ${mb((n * (n - 1) / 2) * 8)} (shared with the threads), window numbers ${WINDOW}×8 B; independent of the ${REFERENCE.toLocaleString('en-US')}-row training split`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
console.log(`\nload average after: ${load()}`);
