/**
 * Regions benchmark: `GET /v1/models/{model}/regions` (clustering, ranking and the UMAP map)
 * for a 5,000-prediction window at 256 dims, through the same RegionsService, cold and cached.
 *
 *   npm run bench -- regions [--window 5000] [--dim 256] [--examples 20000] [--runs 3]
 *
 * Examples and predictions are written straight to SQLite (a quarter of the window from four
 * clusters training never had); each cold run recomputes after the cache is dropped by new
 * predictions past `regions.refreshShare`. The ceiling quoted beside it is the issue's 2 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createContainer, type Container } from '../../src/composition/container.js';
import { loadConfig } from '../../src/config.js';
import { insertExamples } from '../../src/examples/examples.repository.js';
import type { Model } from '../../src/models/model.js';
import { insertPredictions, type NewPredictionRow } from '../../src/predictions/predictions.repository.js';
import { splitForId } from '../../src/util/hash-split.js';
import { mulberry32 } from '../../src/util/random.js';
import { encodeVector } from '../../src/util/vectors.js';
import { ClusteredData } from '../../test/support/clustered-data.js';

const { values: args } = parseArgs({
  options: {
    window: { type: 'string', default: '5000' },
    dim: { type: 'string', default: '256' },
    examples: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
  },
});
const WINDOW = Number(args.window);
const DIM = Number(args.dim);
const EXAMPLES = Number(args.examples);
const RUNS = Number(args.runs);
const CONCEPTS = Array.from({ length: 10 }, (_, i) => `c${i}`);
const CEILING_MS = 2000;

async function seed(s: Container): Promise<{ model: Model; data: ClusteredData; novel: ClusteredData }> {
  const { model } = await s.models.put('bench-regions', {
    task: 'multiclass',
    embeddingDim: DIM,
    concepts: CONCEPTS.map((id) => ({ id })),
    settings: { regions: { windowSize: WINDOW }, drift: { evaluateEvery: 10_000_000, evaluateAfterSeconds: 1e9 } },
  });
  const data = new ClusteredData({ dim: DIM, clusters: 20, spread: 0.6, seed: 5 });
  const novel = new ClusteredData({ dim: DIM, clusters: 4, spread: 0.4, seed: 6 });
  const now = new Date().toISOString();
  for (let i = 0; i < EXAMPLES; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, EXAMPLES - i) }, (_, j) => {
      const id = `ex-${i + j}`;
      const c = (i + j) % 20;
      return { model_id: model.id, id, split: splitForId(id), source: 'original' as const, concepts_json: JSON.stringify([CONCEPTS[c % 10]!]), embedding: encodeVector(data.point(c)), input_json: null, metadata_json: null, created_at: now };
    });
    await s.database.db.transaction().execute((trx) => insertExamples(trx, rows));
  }
  await addPredictions(s, model, data, novel, WINDOW, 0);
  return { model, data, novel };
}

async function addPredictions(s: Container, model: Model, data: ClusteredData, novel: ClusteredData, n: number, from: number): Promise<void> {
  const rand = mulberry32(from + 1);
  const now = new Date().toISOString();
  const rows: NewPredictionRow[] = Array.from({ length: n }, (_, i) => {
    const far = rand() < 0.25;
    const c = Math.floor(rand() * 20);
    return {
      model_id: model.id, id: `p-${from + i}`, embedding: encodeVector(far ? novel.point(c % 4) : data.point(c)), scores_json: '{}', predicted: CONCEPTS[c % 10]!, top_score: far ? 0.4 : 0.85,
      encoder: null, model_version: null, timestamp: now, input_json: JSON.stringify({ url: `https://img.example/${from + i}.jpg` }), metadata_json: null, ood_distance: 0, ood_score: far ? 0.99 : 0.5, is_ood: far ? 1 : 0,
      uncertainty: far ? 0.8 : 0.2, least_confidence: 0.2, entropy: 0.5, knn_concept: null, knn_agreement: far ? 0.3 : 0.9, disagreement: far ? 1 : 0, priority: 0.2, neighbors_json: '[]', created_at: now,
    };
  });
  for (let i = 0; i < rows.length; i += 2000) {
    const chunk = rows.slice(i, i + 2000);
    await s.database.db.transaction().execute((trx) => insertPredictions(trx, chunk));
  }
}

async function timed<T>(fn: () => Promise<T>) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

console.log(`regions benchmark: window ${WINDOW} predictions × ${DIM} dims (25% from 4 clusters training never had), ${EXAMPLES} examples; ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-regions-'));
const s = await createContainer(loadConfig({ DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { log: pino({ level: 'silent' }) });
// As `npm start` does: the clustering thread loads its modules while the window is seeded, not in the first cold call.
s.warmThreads();
try {
  const { model, data, novel } = await seed(s);
  await s.references.get(model);
  const cold: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    if (run > 0) await addPredictions(s, model, data, novel, Math.ceil(WINDOW * model.settings.regions.refreshShare), WINDOW * (run + 1));
    const m = await timed(() => s.regions.snapshot(model));
    cold.push(m.wallMs);
    const snap = m.value;
    console.log(`  cold ${run + 1}: ${m.wallMs.toFixed(0)} ms wall, ${m.cpuMs.toFixed(0)} ms CPU (ceiling ${CEILING_MS} ms); k = ${snap.k} by silhouette ${snap.silhouette?.toFixed(3)}, computation alone ${snap.millis.toFixed(0)} ms`);
    const cached = await timed(() => s.regions.snapshot(model));
    console.log(`  cached:  ${cached.wallMs.toFixed(1)} ms wall (same computedAt: ${cached.value.computedAt === snap.computedAt})`);
  }
  const snap = await s.regions.snapshot(model);
  console.log(`  top regions: ${snap.regions.slice(0, 6).map((r) => `#${r.id} size ${r.size} train ${(100 * r.trainingShare).toFixed(1)}% est ${(100 * r.estimatedAccuracy).toFixed(0)}% ood ${(100 * r.oodShare).toFixed(0)}%`).join(' | ')}`);
  const median = [...cold].sort((a, b) => a - b)[Math.floor(cold.length / 2)]!;
  console.log(`median cold ${median.toFixed(0)} ms vs ceiling ${CEILING_MS} ms; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await s.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
