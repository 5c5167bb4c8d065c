/**
 * Memory at scale: `npm run bench -- rss [--stages 250000,500000,1000000] [--dim 256] [--queued F] [--window N] [--port 0]`.
 *
 * Starts `npm start`'s service in its own process, creates a model with a 5,000-example
 * clustered training set and sends 20 batches of predictions over HTTP, which gives the
 * fraction of predictions the service itself queues (`--queued` overrides it). Then, while
 * the service runs, it writes scored predictions (and that fraction of queue items) straight
 * into the SQLite file in large transactions up to each stage, makes the service use them
 * (a few batches over HTTP, which catch its near-duplicate index up with the new items; the
 * model, the queue summary, a claim, the drift report), and prints the service's RSS beside
 * its RSS before any seeding, the 1 GB goal, and the growth per 100k predictions. `--window`
 * sets the service's DRIFTLOOP_DUPLICATE_WINDOW (`--queued 1` shows the bound of the near-duplicate index).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { failWithServiceLog, startServiceProcess, type ServiceProcess } from '../lib/service-process.js';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { mb, postJson, progressBar, putJson } from '../lib/bench-util.js';
import { seedPendingItems } from './lib/queue-seed.js';

const { values: args } = parseArgs({
  options: {
    stages: { type: 'string', default: '250000,500000,1000000' },
    dim: { type: 'string', default: '256' },
    queued: { type: 'string' },
    port: { type: 'string', default: '0' },
    window: { type: 'string' },
  },
});
const STAGES = args.stages.split(',').map(Number);
const DIM = Number(args.dim);
const GOAL = 1024 ** 3;
const CONCEPTS = Array.from({ length: 10 }, (_, i) => `c${i}`);
const data = new ClusteredData({ dim: DIM, clusters: 50, spread: 0.6, seed: 42 });
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
let sent = 0;

/** Resident set of the service process, from /proc. */
function rssOf(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

/** Sends `batches` batches of 100 predictions over HTTP; returns the fraction queued. */
async function predict(svc: ServiceProcess, batches: number): Promise<number> {
  let queued = 0;
  for (let b = 0; b < batches; b++) {
    const predictions = Array.from({ length: 100 }, () => {
      const c = data.cluster();
      return { id: `http-${sent++}`, embedding: data.point(c), scores: data.scores(CONCEPTS, c % 10, 0.45 + 0.5 * Math.random()) };
    });
    const res = await postJson(`${svc.url}/v1/models/bench/predictions`, { predictions });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body).slice(0, 300));
    queued += (res.body as { results: { queued: boolean }[] }).results.filter((r) => r.queued).length;
  }
  return queued / (batches * 100);
}

/** What a running service does with its stored predictions: ingest, the model, the queue, a claim, drift. */
async function use(svc: ServiceProcess): Promise<void> {
  await predict(svc, 5);
  for (const p of ['', '/queue', '/drift']) {
    const res = await fetch(`${svc.url}/v1/models/bench${p}`);
    if (res.status !== 200) throw new Error(`GET ${p}: ${res.status}`);
    await res.arrayBuffer();
  }
  const claim = await postJson(`${svc.url}/v1/models/bench/queue/claim`, { labeler: 'rss-bench' });
  if (claim.status !== 200) throw new Error(JSON.stringify(claim.body).slice(0, 300));
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-rss-'));
const started = performance.now();
let service: ServiceProcess | undefined;
try {
  console.log(`driftloop RSS benchmark: stored predictions × ${DIM} dims, stages ${STAGES.join(', ')}, near-duplicate window ${args.window ?? 'default'}; ${os.cpus().length} cores, node ${process.version}, load average ${loadavg()}`);
  const window: Record<string, string> = args.window === undefined ? {} : { DRIFTLOOP_DUPLICATE_WINDOW: args.window };
  const svc = await startServiceProcess({ DRIFTLOOP_DATA_DIR: dataDir, PORT: args.port, LOG_LEVEL: 'warn', ...window });
  service = svc;
  const put = await putJson(`${svc.url}/v1/models/bench`, { task: 'multiclass', embeddingDim: DIM, concepts: CONCEPTS.map((id) => ({ id })) });
  if (put.status !== 201) throw new Error(JSON.stringify(put.body));
  const examples = Array.from({ length: 5000 }, (_, i) => ({ id: `ex-${i}`, embedding: data.point(i % 50), concepts: [CONCEPTS[i % 10]!] }));
  if ((await postJson(`${svc.url}/v1/models/bench/examples`, { examples })).status !== 200) throw new Error('could not add examples');
  const measuredQueued = await predict(svc, 20);
  const queued = args.queued === undefined ? measuredQueued : Number(args.queued);
  await use(svc);
  const base = rssOf(svc.child.pid!);
  console.log(`service queued ${(measuredQueued * 100).toFixed(1)}% of 2,000 predictions sent over HTTP; seeding ${(queued * 100).toFixed(1)}% of stored predictions as queue items`);
  console.log(`RSS before seeding (5,000 examples, ${sent} predictions): ${mb(base)}`);

  const db = new SQLite(path.join(dataDir, 'driftloop.sqlite'));
  db.pragma('busy_timeout = 10000');
  let stored = 0;
  let previous = { stored: 0, rss: base };
  console.log('| stored predictions | queue items | RSS | goal | growth per 100k since the last stage | database | load average |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const stage of STAGES) {
    const bar = progressBar(`seeding up to ${stage}`, stage - stored);
    seedPendingItems(db, { modelName: 'bench', count: stage - stored, start: stored, queued, data, concepts: CONCEPTS, onProgress: (done) => bar.update(done) });
    bar.stop();
    stored = stage;
    // Seeding blocked this event loop for seconds: let the HTTP client see the keep-alive sockets the service closed meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await use(svc);
    const rss = rssOf(svc.child.pid!);
    const items = db.prepare('select count(*) from queue_items').pluck().get() as number;
    const size = fs.statSync(path.join(dataDir, 'driftloop.sqlite')).size;
    const growth = ((rss - previous.rss) / (stored - previous.stored)) * 100_000;
    console.log(`| ${stored.toLocaleString('en')} | ${items.toLocaleString('en')} | ${mb(rss)} | ${mb(GOAL)} ${rss < GOAL ? 'met' : 'MISSED'} | ${mb(growth)} | ${mb(size)} | ${loadavg()} |`);
    previous = { stored, rss };
  }
  db.close();
  svc.child.kill('SIGTERM');
  await svc.exited;
  console.log(`whole run ${((performance.now() - started) / 1000).toFixed(0)} s`);
} catch (err) {
  failWithServiceLog(err, service);
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
