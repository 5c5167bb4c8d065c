/**
 * Claim latency on a huge queue while ingestion runs at full rate, in the same run:
 *
 *   npm run bench -- queue [--items 1000000] [--seconds 30] [--claimers 4] [--ingesters 2] [--batch 20] [--label]
 *                          [--data-dir DIR]   (reuse a seeded folder: kept, and seeded only when empty)
 *
 * Seeds `items` pending items straight into SQLite, starts the real server on 127.0.0.1:0
 * (which catches its near-duplicate index up from the database), then a worker thread runs
 * claimers and back-to-back ingest batches over HTTP at the same time. Each claim comes from
 * a new labeler (many people at the queue), or with --label every claimer labels what it
 * claimed before claiming again. Leases last 10 s, so expired ones return during the run.
 * Prints latency percentiles; asserts nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { claimCandidatesQuery } from '../../src/queue/queue.repository.js';
import { ClusteredData } from '../../src/util/clustered-data.js';
import type { LoadOptions, LoadResult } from './lib/queue-load.js';
import { seedPendingItems } from './lib/queue-seed.js';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '30' },
    claimers: { type: 'string', default: '4' },
    ingesters: { type: 'string', default: '2' },
    batch: { type: 'string', default: '20' },
    dim: { type: 'string', default: '32' },
    label: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
  },
});
const items = Number(args.items);
const dim = Number(args.dim);
const CONCEPTS = ['lager', 'stout', 'ipa', 'pilsner', 'porter'];
const SPREAD = 0.3;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(name: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(2).padStart(8);
  return `${name.padEnd(22)} n=${String(s.length).padStart(6)}  p50 ${f(percentile(s, 50))} ms  p90 ${f(percentile(s, 90))} ms  p99 ${f(percentile(s, 99))} ms  max ${f(s.at(-1) ?? NaN)} ms`;
}

function runLoad(options: LoadOptions): Promise<LoadResult> {
  // The worker registers tsx itself: workers do not inherit the loader.
  const file = new URL('./lib/queue-load.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file)}); })`, {
    eval: true,
    workerData: options,
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (r: LoadResult) => void worker.terminate().then(() => resolve(r)));
    worker.once('error', reject);
  });
}

const keep = args['data-dir'] !== undefined;
const dataDir = args['data-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-queue-'));
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`machine: ${os.cpus().length} cores, load average ${load()}`);
const driftloop = await createApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'error' }), pino({ level: 'error' }));
try {
  const { models, examples, database } = driftloop.services;
  const data = new ClusteredData({ dim, clusters: CONCEPTS.length, spread: SPREAD, seed: 42 });
  let model = await models.find('bench');
  if (!model) {
    ({ model } = await models.put('bench', {
      task: 'multiclass',
      embeddingDim: dim,
      concepts: CONCEPTS.map((id) => ({ id })),
      settings: { queue: { leaseSeconds: 10 } },
    }));
    await examples.add(
      model,
      Array.from({ length: 5000 }, (_, i) => ({ id: `ex-${i}`, embedding: data.point(i % CONCEPTS.length), concepts: [CONCEPTS[i % CONCEPTS.length]!] })),
    );
    const exampleSeqs = database.sqlite.prepare('select seq from examples where model_id = ?').pluck().all(model.id) as number[];
    const t = performance.now();
    seedPendingItems(database.sqlite, {
      modelId: model.id,
      count: items,
      data,
      concepts: CONCEPTS,
      exampleSeqs,
      onProgress: (done) => process.stdout.write(`\rseeding pending items: ${done.toLocaleString()} / ${items.toLocaleString()}`),
    });
    console.log(`\nseeded ${items.toLocaleString()} predictions + pending items in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } else {
    console.log(`reusing ${dataDir}: ${(await driftloop.services.queue.depth(model)).pending.toLocaleString()} pending items`);
  }

  const plan = claimCandidatesQuery(database.db, model.id, 'bench-labeler-0', 1).compile();
  const rows = database.sqlite.prepare(`explain query plan ${plan.sql}`).all(...(plan.parameters as unknown[])) as { detail: string }[];
  console.log(`claim query plan:\n${rows.map((r) => `  ${r.detail}`).join('\n')}`);

  process.stdout.write('starting the server (loading or catching up the near-duplicate index)…');
  const t = performance.now();
  const { port } = await driftloop.start();
  console.log(` ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const seconds = Number(args.seconds);
  const options: LoadOptions = {
    url: `http://127.0.0.1:${port}`,
    model: 'bench',
    concepts: CONCEPTS,
    centers: data.centers,
    spread: SPREAD,
    seconds,
    warmupSeconds: 3,
    claimers: Number(args.claimers),
    ingesters: Number(args.ingesters),
    batch: Number(args.batch),
    label: args.label,
  };
  console.log(`load: ${options.claimers} claimers (${options.label ? 'claim 1, label it, repeat' : 'claim 1 as a new labeler, repeat'}) and ${options.ingesters} ingesters (batches of ${options.batch}) for ${seconds} s after a 3 s warm-up`);
  const r = await runLoad(options);

  const stats = await driftloop.services.queue.stats(model);
  console.log('');
  console.log(summary('claim', r.claimMs));
  if (options.label) console.log(summary('label', r.labelMs));
  console.log(summary(`ingest (batch ${options.batch})`, r.ingestMs));
  console.log(`ingestion: ${Math.round(r.ingested / seconds).toLocaleString()} predictions/s (${r.queued.toLocaleString()} queued); claims: ${Math.round(r.claimMs.length / seconds).toLocaleString()}/s`);
  console.log(`queue after the run: ${stats.pending.toLocaleString()} pending, ${stats.leased} leased, ${stats.labeled.toLocaleString()} labeled; empty claims ${r.emptyClaims}`);
  const p99 = percentile([...r.claimMs].sort((a, b) => a - b), 99);
  console.log(`machine load average after the run: ${load()}`);
  console.log(`goal claim p99 < 20 ms: ${p99 < 20 ? 'met' : 'NOT met'} (${p99.toFixed(2)} ms)`);
  if (r.errors.length > 0) {
    console.error(`${r.errors.length} request errors, first: ${r.errors[0]}`);
    process.exitCode = 1;
  }
} finally {
  await driftloop.stop();
  if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
}
