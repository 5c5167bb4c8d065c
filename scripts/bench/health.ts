/**
 * Training-data checklist benchmark: time and memory of `GET /v1/models/{model}/health` at
 * 100k examples × 64 dims and 10k × 256 (by default), through the same HealthService.
 *
 *   npm run bench -- health [--sizes 100000x64,10000x256] [--window 500] [--concepts 10]
 *
 * Examples (split 80/20 by id hash, one in 500 with a near-twin) and a scored production
 * window (one in ten far from training) are written straight to SQLite; the reference
 * indexes are then built from the database as at a server start, and timed apart. Then:
 * the first (cold) checklist, a cached one, one after new predictions (only coverage is
 * rescanned), one after 1,000 new examples (the kept neighbour lists are updated where the new
 * examples enter them), and then, on the same data in the same run, a cold computation by a
 * fresh service: the ceiling the incremental one is compared with, and the report it must equal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createContainer, type Container } from '../../src/composition/container.js';
import { ownerReads } from '../../src/composition/ports.js';
import { HealthService } from '../../src/health/health.service.js';
import type { HealthReport } from '../../src/health/health.types.js';
import { systemClock } from '../../src/util/clock.js';
import { loadConfig } from '../../src/config.js';
import { insertExamples } from '../../src/examples/examples.repository.js';
import type { Model } from '../../src/models/model.js';
import { insertPredictions, type NewPredictionRow } from '../../src/predictions/predictions.repository.js';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { splitForId } from '../../src/util/hash-split.js';
import { mulberry32 } from '../../src/util/random.js';
import { encodeVector } from '../../src/util/vectors.js';
import { progressBar } from '../lib/bench-util.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000x64,10000x256' },
    added: { type: 'string', default: '1000' },
    window: { type: 'string', default: '500' },
    concepts: { type: 'string', default: '10' },
  },
});
const SIZES = args.sizes.split(',').map((s) => s.split('x').map(Number) as [number, number]);
const WINDOW = Number(args.window);
const CONCEPTS = Array.from({ length: Number(args.concepts) }, (_, i) => `c${i}`);
const CLUSTERS = 5 * CONCEPTS.length;
const TWIN_EVERY = 500;
const ADDED = Number(args.added);
const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const external = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

async function seed(s: Container, n: number, dim: number): Promise<{ model: Model; data: ClusteredData }> {
  const { model } = await s.models.put(`bench-${n}x${dim}`, {
    task: 'multiclass',
    embeddingDim: dim,
    concepts: CONCEPTS.map((id) => ({ id })),
    settings: { drift: { windowSize: WINDOW, evaluateEvery: 10_000_000, evaluateAfterSeconds: 1e9 } },
  });
  const data = new ClusteredData({ dim, clusters: CLUSTERS, spread: 0.6, seed: n + dim });
  const bar = progressBar(`writing ${n} × ${dim} examples`, n);
  const now = new Date().toISOString();
  let previous: number[] = [];
  for (let i = 0; i < n; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, n - i) }, (_, j) => {
      const id = `ex-${i + j}`;
      const c = (i + j) % CLUSTERS;
      const twin = (i + j) % TWIN_EVERY === 1;
      const embedding = twin ? previous.map((x) => x + 0.005 * (x > 0 ? 1 : -1)) : data.point(c);
      previous = embedding;
      const concept = CONCEPTS[(twin ? c - 1 + CLUSTERS : c) % CONCEPTS.length]!;
      return { model_id: model.id, id, split: splitForId(id), source: 'original' as const, concepts_json: JSON.stringify([concept]), embedding: encodeVector(embedding), input_json: null, metadata_json: null, created_at: now };
    });
    await s.database.db.transaction().execute((trx) => insertExamples(trx, rows));
    bar.update(i + rows.length);
  }
  bar.stop();
  await addPredictions(s, model, data, WINDOW, 0);
  return { model, data };
}

async function addPredictions(s: Container, model: Model, data: ClusteredData, n: number, from: number): Promise<void> {
  const rand = mulberry32(from + 1);
  const now = new Date().toISOString();
  const rows: NewPredictionRow[] = Array.from({ length: n }, (_, i) => {
    const c = Math.floor(rand() * CLUSTERS);
    const far = rand() < 0.1;
    return {
      model_id: model.id, id: `p-${from + i}`, embedding: encodeVector(far ? data.outlier(3) : data.point(c)), scores_json: '{}', predicted: CONCEPTS[c % CONCEPTS.length]!, top_score: 0.8,
      encoder: null, model_version: null, timestamp: now, input_json: null, metadata_json: null, ood_distance: 0, ood_score: 0, is_ood: far ? 1 : 0,
      uncertainty: 0.2, least_confidence: 0.2, entropy: 0.5, knn_concept: null, knn_agreement: 1, disagreement: 0, priority: 0.2, neighbors_json: '[]', created_at: now,
    };
  });
  await s.database.db.transaction().execute((trx) => insertPredictions(trx, rows));
}

/** `count` more examples drawn like the seeded ones, split by id hash. */
function newExamples(data: ClusteredData, n: number, count: number) {
  const rand = mulberry32(n + count);
  return Array.from({ length: count }, (_, i) => {
    const c = Math.floor(rand() * CLUSTERS);
    const id = `added-${i}`;
    return { id, embedding: data.point(c), concepts: [CONCEPTS[c % CONCEPTS.length]!], split: splitForId(id) };
  });
}

/** How far the incremental report is from the cold one: equal, or the checks whose figures differ. */
function compare(a: HealthReport, b: HealthReport): string {
  const strip = (r: HealthReport) => JSON.stringify({ ...r, computedAt: undefined });
  if (strip(a) === strip(b)) return 'the reports are EQUAL';
  const differing = a.checks.filter((c, i) => JSON.stringify(c) !== JSON.stringify(b.checks[i])).map((c) => {
    const o = b.checks.find((x) => x.name === c.name)!;
    const d = c.details as unknown as Record<string, unknown>;
    const e = o.details as unknown as Record<string, unknown>;
    const keys = Object.keys(d).filter((k) => typeof d[k] === 'number' && d[k] !== e[k]);
    return `${c.name} (${keys.map((k) => `${k} ${String(d[k])} vs ${String(e[k])}`).join(', ') || `${c.idsTotal ?? 0} vs ${o.idsTotal ?? 0} ids`})`;
  });
  return `differ in ${differing.join('; ')} (HNSW searches are approximate: a cold run searches a grown graph)`;
}

/** Wall and CPU time, peak JS memory (heap + array buffers, sampled) and the worst event-loop stall. */
async function measure<T>(fn: () => Promise<T>) {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  const base = external();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, external())), 20);
  lag.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  lag.disable();
  clearInterval(sampler);
  peak = Math.max(peak, external());
  return { value, wallMs, cpuMs: (used.user + used.system) / 1000, peakExtra: peak - base, maxStallMs: lag.max / 1e6 };
}

const line = (label: string, m: { wallMs: number; cpuMs: number; peakExtra: number; maxStallMs: number }) =>
  console.log(`  ${label.padEnd(44)} ${m.wallMs.toFixed(0).padStart(7)} ms wall ${m.cpuMs.toFixed(0).padStart(7)} ms CPU   +${MiB(m.peakExtra).padStart(9)} peak JS   longest event-loop stall ${m.maxStallMs.toFixed(0)} ms`);

console.log(`health benchmark: ${CONCEPTS.length} concepts over ${CLUSTERS} clusters, one example in ${TWIN_EVERY} with a near-twin, window ${WINDOW} predictions (10% far); ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`);
let failed = false;
for (const [n, dim] of SIZES) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-health-'));
  const s = await createContainer(loadConfig({ DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { log: pino({ level: 'silent' }) });
  try {
    const { model, data } = await seed(s, n, dim);
    console.log(`\n${n.toLocaleString('en-US')} examples × ${dim} dims`);
    // As a server starts: indexes built from the database, saved, and replicated to the search threads.
    const build = await measure(() => s.start());
    line(`service start: indexes built, replicated (not the checklist)`, build);
    const set = await s.references.get(model);
    console.log(`  train ${set.train.size}, eval ${set.evalIndex.size}, k = ${model.settings.ood.k}; vectors in the snapshot ${MiB(n * dim * 4)}`);
    const cold = await measure(() => s.health.check(model));
    line('checklist, cold', cold);
    line('checklist, cached', await measure(() => s.health.check(model)));
    await addPredictions(s, model, data, 100, WINDOW);
    line('after 100 new predictions (coverage rescanned)', await measure(() => s.health.check(model)));
    const fresh = newExamples(data, n, ADDED);
    const adding = await measure(async () => {
      for (let i = 0; i < fresh.length; i += 500) await s.examples.add(model, fresh.slice(i, i + 500));
    });
    line(`${ADDED} new examples stored and indexed (not the checklist)`, adding);
    const incremental = await measure(() => s.health.check(model));
    line(`checklist after ${ADDED} new examples (incremental)`, incremental);
    const update = s.health.lastUpdate(model);
    const recomputed = await measure(() => new HealthService(ownerReads(s.database.db), s.references, systemClock).check(model));
    line(`checklist cold on the same data (ceiling)`, recomputed);
    console.log(`  incremental ${incremental.wallMs.toFixed(0)} ms = ${(incremental.wallMs / recomputed.wallMs).toFixed(3)}× the cold ${recomputed.wallMs.toFixed(0)} ms of this run (goal < 2 s at 100k × 64); ${update?.mode}, ${update?.added} examples read, ${update?.unproven} of them not proven to reach every old list they belong in`);
    console.log(`  incremental vs cold: ${compare(incremental.value, recomputed.value)}`);
    console.log(`  RSS ${MiB(process.memoryUsage().rss)}, max RSS so far ${MiB(process.resourceUsage().maxRSS * 1024)}`);
    for (const c of cold.value.checks) console.log(`    ${c.status.padEnd(4)} ${c.name.padEnd(20)} ${c.idsTotal === undefined ? '' : `${c.idsTotal} ids  `}${c.message.slice(0, 150)}`);
    const dup = cold.value.checks.find((c) => c.name === 'near_duplicates');
    if (!dup?.idsTotal) {
      console.error(`  the planted near-twins were not found`);
      failed = true;
    }
  } finally {
    await s.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
process.exit(failed ? 1 : 0);
