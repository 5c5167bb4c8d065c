import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { loadDemoDataset, type DemoPrediction } from '../data/demo-dataset.js';
import { championAccuracy, pct, productionModelAccuracy } from './accuracy.js';
import { startServiceProcess } from '../../lib/service-process.js';
import { ApiClient, isListening } from './api-client.js';
import { labelFromGroundTruth } from './labeler.js';
import { prepareDemoFolder } from './demo-folder.js';

/** The demo's and its benchmarks' DRIFTLOOP_SPLIT_SECRET: which labeled items are held out repeats from run to run. */
export const DEMO_SPLIT_SECRET = 'driftloop-demo-split-secret';

export interface DemoOptions {
  dataDir: string;
  demoDir: string;
  port: number;
  model: string;
  labels: number;
  log: (line: string) => void;
}

/** Settings that make the loop visible within minutes on the demo's few thousand records. */
function demoSettings(labels: number) {
  return {
    drift: { windowSize: 300 },
    retrain: { minNewLabels: labels, minConceptLabels: 20, cooldownMinutes: 0 },
    queue: { leaseSeconds: 120 },
  };
}

function bar(label: string, total: number): cliProgress.SingleBar {
  const b = new cliProgress.SingleBar(
    { format: `  ${label.padEnd(30)} [{bar}] {value}/{total} {extra}`, hideCursor: true, stream: process.stdout },
    cliProgress.Presets.shades_classic,
  );
  b.start(total, 0, { extra: '' });
  return b;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a job until it ends. */
export async function waitForJob(api: ApiClient, jobId: string): Promise<any> {
  for (;;) {
    const job = await api.get(`/v1/jobs/${jobId}`);
    if (['succeeded', 'failed', 'canceled'].includes(job.status)) return job;
    await sleep(500);
  }
}

async function stream(api: ApiClient, model: string, records: DemoPrediction[], label: string) {
  const b = bar(label, records.length);
  let last: any;
  for (let i = 0; i < records.length; i += 50) {
    const predictions = records.slice(i, i + 50).map((r) => ({ id: r.id, embedding: r.embedding, scores: r.scores, encoder: 'fmnist-cnn64@1', input: r.input }));
    await api.post(`/v1/models/${model}/predictions`, { predictions });
    if ((i / 50) % 6 === 5 || i + 50 >= records.length) {
      last = await api.get(`/v1/models/${model}/drift`);
      b.update(Math.min(records.length, i + 50), { extra: `drift score ${pct(last.score)} (threshold ${pct(last.threshold)}) → ${last.status}` });
    } else b.update(Math.min(records.length, i + 50));
  }
  b.stop();
  return last;
}

/** Runs the whole perfect-pint loop against a freshly started service and leaves it running. */
export async function runDemo(o: DemoOptions): Promise<void> {
  const url = `http://127.0.0.1:${o.port}`;
  const api = new ApiClient(url);
  const { log } = o;
  if (await isListening(url)) throw new Error(`something already listens on ${url}; stop it or set PORT`);

  log('1. Starting the service on the embedded SQLite default');
  prepareDemoFolder(o.dataDir);
  const logFile = path.join(o.dataDir, 'service.log');
  const service = await startServiceProcess({ PORT: String(o.port), HOST: '127.0.0.1', DRIFTLOOP_DATA_DIR: o.dataDir, DRIFTLOOP_SPLIT_SECRET: DEMO_SPLIT_SECRET }, { logFile });
  const pid = service.child.pid;
  log(`   listening on ${url} (pid ${pid}, data in ${o.dataDir}, log ${logFile})`);

  const data = await loadDemoDataset(o.demoDir);
  const known = new Set(data.manifest.knownConcepts);
  log(`\n2. Registering '${o.model}' (${data.model.concepts.length} concepts, encoder ${data.model.encoder}) and ${data.train.length} professional training examples`);
  await api.put(`/v1/models/${o.model}`, { ...data.model, settings: demoSettings(o.labels) });
  const up = bar('training examples', data.train.length);
  for (let i = 0; i < data.train.length; i += 500) {
    const examples = data.train.slice(i, i + 500).map((r) => ({ id: r.id, embedding: r.embedding, concepts: [r.concept], input: r.input }));
    await api.post(`/v1/models/${o.model}/examples`, { examples });
    up.update(Math.min(data.train.length, i + 500));
  }
  up.stop();
  const first = await waitForJob(api, (await api.post(`/v1/models/${o.model}/retrain`, {})).jobId);
  if (first.status !== 'succeeded') throw new Error(`first training failed: ${JSON.stringify(first.error ?? first)}`);
  const before = {
    ugc: await championAccuracy(api, o.model, data.evalUgc, known),
    clean: await championAccuracy(api, o.model, data.evalClean, known),
  };
  const prodModel = { ugc: productionModelAccuracy(data.evalUgc, known), clean: productionModelAccuracy(data.evalClean, known) };
  log(`   production CNN: clean ${pct(prodModel.clean.all)}, UGC ${pct(prodModel.ugc.all)} (known concepts ${pct(prodModel.ugc.known)})`);
  log(`   champion v${before.ugc.version} head trained on clean examples: clean ${pct(before.clean.all)}, UGC ${pct(before.ugc.all)}`);

  log('\n3. Streaming production traffic: professional photos first, then phone photos (UGC)');
  await stream(api, o.model, data.prodClean, 'clean production');
  const drift = await stream(api, o.model, data.prodUgc, 'UGC production');
  log(`   drift: ${drift.status}, score ${pct(drift.score)} vs threshold ${pct(drift.threshold)}; dashboard: ${url}/`);
  for (const t of drift.tests) log(`     ${t.name.padEnd(18)} p=${t.pValue === null ? '—' : Number(t.pValue).toExponential(1)}  ${t.drift ? 'DRIFT' : 'ok'}`);

  log(`\n4. Labelers answer the review queue (ground truth stands in for people)`);
  const truth = new Map(data.prodUgc.concat(data.prodClean).map((r) => [r.id, r.concept]));
  const versionsBefore = (await api.get<any[]>(`/v1/models/${o.model}/versions`)).length;
  const lb = bar('labels', o.labels);
  const labeled = await labelFromGroundTruth(api, o.model, truth, { labelers: ['ana', 'ben', 'chloe'], target: o.labels, onProgress: (n) => lb.update(Math.min(n, o.labels)) });
  lb.stop();
  const queue = await api.get(`/v1/models/${o.model}/queue`);
  log(`   ${labeled.labeled} labels (${labeled.newConcept} proposing new concepts); queue now pending ${queue.pending}, labeled ${queue.labeled}`);

  log('\n5. Retraining: drift passed the threshold and enough labels exist');
  let versions = await api.get<any[]>(`/v1/models/${o.model}/versions`);
  for (let waited = 0; versions.length === versionsBefore && waited < 120_000; waited += 1000) {
    await sleep(1000);
    versions = await api.get<any[]>(`/v1/models/${o.model}/versions`);
  }
  if (versions.length === versionsBefore) {
    log('   no automatic job within 2 minutes; queuing one by hand');
    await waitForJob(api, (await api.post(`/v1/models/${o.model}/retrain`, {})).jobId);
    versions = await api.get<any[]>(`/v1/models/${o.model}/versions`);
  }
  let latest = versions.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
  for (let i = 0; i < 600 && !latest.metrics; i++) {
    await sleep(1000);
    latest = (await api.get<any[]>(`/v1/models/${o.model}/versions`)).find((v) => v.version === latest.version);
  }
  log(`   v${latest.version}: ${latest.status}${latest.reason ? ` (${latest.reason})` : ''}`);
  const after = {
    ugc: await championAccuracy(api, o.model, data.evalUgc, known),
    clean: await championAccuracy(api, o.model, data.evalClean, known),
  };

  log('\n6. Before and after, on held-out data the models never saw');
  log(`   ${''.padEnd(34)} ${'before'.padStart(8)} ${'after'.padStart(8)}`);
  log(`   ${`UGC, all concepts (n=${after.ugc.n})`.padEnd(34)} ${pct(before.ugc.all).padStart(8)} ${pct(after.ugc.all).padStart(8)}`);
  log(`   ${'UGC, known concepts'.padEnd(34)} ${pct(before.ugc.known).padStart(8)} ${pct(after.ugc.known).padStart(8)}`);
  log(`   ${`clean (n=${after.clean.n})`.padEnd(34)} ${pct(before.clean.all).padStart(8)} ${pct(after.clean.all).padStart(8)}`);
  log(`   champion v${before.ugc.version} → v${after.ugc.version}, trained with ${labeled.labeled} production labels`);

  log(`\nThe service keeps running (pid ${pid}). Stop it with: kill ${pid}`);
  log(`   dashboard      ${url}/`);
  log(`   labeling page  ${url}/ui/models/${o.model}/label`);
  log(`   drift report   ${url}/ui/models/${o.model}/report`);
  log(`   API docs       ${url}/docs`);
}
