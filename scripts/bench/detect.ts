/**
 * Drift detection delay on the demo data, through the real service at default settings:
 * the sequential detector (Bernoulli CUSUM) beside the window rule, and the peers' figures.
 *
 *   npm run bench -- detect [--clean 20000] [--seed 1] [--shuffles 1000] [--port 26000]
 *
 * The service gets the demo's training examples (80/20 by id hash, as DESIGN says) plus the
 * held-out clean set as eval split, then a clean stream resampled with replacement from the
 * 1,400 clean production records (new ids, seeded), then the phone-like photos in order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { oodRateTest } from '../../src/drift/detectors/ood-rate.detector.js';
import { cusumStep } from '../../src/drift/sequential/bernoulli-cusum.js';
import { defaultSettings } from '../../src/models/settings.js';
import { mulberry32 } from '../../src/util/random.js';
import { loadDemoDataset, type DemoPrediction } from '../demo/data/demo-dataset.js';
import { killServiceProcesses, startServiceProcess } from '../lib/service-process.js';
import { postJson, progressBar, putJson } from '../lib/bench-util.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const CLEAN = Number(option('clean', '20000'));
const SEED = Number(option('seed', '1'));
const SHUFFLES = Number(option('shuffles', '1000'));
const PORT = option('port', '26000');
const BATCH = 250;
const MODEL = 'perfect-pint';
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

const PEERS: [string, string, string][] = [
  ['alibi-detect KS on the softmax outputs (BBSD)', '0', '75'],
  ['Evidently embeddings drift, "model" (domain classifier)', '0', '100'],
  ['Evidently, "ratio"', '1', '100'],
  ['driftloop with drift.threshold 0.10 (window rule)', '0', '100'],
  ['Evidently, "mmd"', '0', '150'],
  ['driftloop at its defaults (0.15, window rule)', '0', 'about 150'],
  ['NannyML, PCA reconstruction', '0', '200'],
];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-detect-'));
const service = await startServiceProcess({ PORT, DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
const base = `${service.url}/v1/models/${MODEL}`;
const get = async (p: string) => (await fetch(base + p)).json() as Promise<any>;
try {
  const data = await loadDemoDataset(path.resolve(import.meta.dirname, '../../data/demo'));
  console.log(`detect benchmark, ${new Date().toISOString()}: ${os.cpus().length} CPUs, load average ${load()} (shared machine); service ${service.url}`);
  must(await putJson(base, data.model), 'PUT model');
  const examples = [
    ...data.train.map((r) => ({ id: r.id, embedding: r.embedding, concepts: [r.concept] })),
    ...data.evalClean.map((r) => ({ id: r.id, embedding: r.embedding, concepts: [r.concept], split: 'eval' })),
  ];
  for (let i = 0; i < examples.length; i += 1000) must(await postJson(`${base}/examples`, { examples: examples.slice(i, i + 1000) }), 'examples');
  const before = (await get('/drift')).sequential;
  console.log(`reference: ${data.train.length} training examples (80/20 by id hash) + ${data.evalClean.length} held-out clean as eval; calibration ${before.calibration.source} ${before.calibration.size} (detector needs ${before.calibration.required}): ${before.state}`);
  console.log(`detector at defaults: +${before.up} per OOD prediction, −${before.down} otherwise, alarm at ${before.limit}; p0 ${before.p0.toFixed(4)}, tuned for ${before.target}; exact in-distribution ARL ${Math.round(before.arl0Exact).toLocaleString('en-US')} (drift.arl0 ${before.arl0.toLocaleString('en-US')})`);

  const random = mulberry32(SEED);
  const clean = Array.from({ length: CLEAN }, (_, i) => ({ ...data.prodClean[Math.floor(random() * data.prodClean.length)]!, id: `clean-${SEED}-${i}` }));
  const cleanFlags = await stream(clean, 'clean (resampled)');
  const afterClean = await get('/drift');
  const windowFalse = windowAlarms(cleanFlags);
  console.log(`\nclean stream: ${CLEAN.toLocaleString('en-US')} predictions resampled with replacement from ${data.prodClean.length} clean production records (seed ${SEED}), OOD rate ${pct(mean(cleanFlags))}`);
  console.log(`  sequential detector: ${afterClean.sequential.alarmed ? `FALSE ALARM at prediction #${afterClean.sequential.alarm.seq}` : 'no alarm'}, statistic ${afterClean.sequential.statistic} of ${afterClean.sequential.limit}, ${afterClean.sequential.observed.toLocaleString('en-US')} observed`);
  console.log(`  window rule (500, every 25): ${windowFalse} false alarm evaluations; service status ${afterClean.status}`);

  const lastClean = afterClean.sequential.lastSeq as number;
  const ugcFlags = await stream(data.prodUgc, 'phone-like photos', true);
  const afterUgc = await get('/drift');
  const seqDelay = afterUgc.sequential.alarm ? afterUgc.sequential.alarm.seq - lastClean : undefined;
  const windowDelay = firstWindowAlarm(cleanFlags.slice(-500), ugcFlags);
  console.log(`\nchange to phone-like photos (${data.prodUgc.length} records in file order, OOD rate ${pct(mean(ugcFlags))}):`);
  console.log(`  sequential detector: delay ${seqDelay ?? 'none'} predictions (alarm at #${afterUgc.sequential.alarm?.seq ?? '—'}, ${afterUgc.sequential.alarm?.at ?? '—'})`);
  console.log(`  window rule (500, evaluated every 25): delay ${windowDelay ?? 'none'} predictions`);
  console.log(`  service: status ${afterUgc.status}, ${afterUgc.events.length} event(s), kinds ${afterUgc.events.map((e: any) => e.kind).join(', ')}`);

  // The same OOD flags the service returned, reordered: the spread of the delay over orders.
  const steps = afterUgc.sequential;
  const rnd = mulberry32(SEED + 1);
  const seqDelays: number[] = [];
  const winDelays: number[] = [];
  for (let s = 0; s < SHUFFLES; s++) {
    const ugc = shuffle(ugcFlags, rnd);
    const pre = Array.from({ length: 500 }, () => cleanFlags[Math.floor(rnd() * cleanFlags.length)]!);
    let stat = 0;
    for (const f of pre) stat = Math.min(steps.limit - 1, cusumStep(stat, f === 1, steps));
    let d = 0;
    while (stat < steps.limit && d < ugc.length) stat = cusumStep(stat, ugc[d++] === 1, steps);
    seqDelays.push(d);
    winDelays.push(firstWindowAlarm(pre, ugc) ?? Infinity);
  }
  console.log(`  over ${SHUFFLES} reorderings of those flags (seeded): sequential median ${quantile(seqDelays, 0.5)}, 90th pct ${quantile(seqDelays, 0.9)}; window rule median ${quantile(winDelays, 0.5)}, 90th pct ${quantile(winDelays, 0.9)}`);

  console.log('\npeers, as measured in issue 16 (Fashion-MNIST, windows of 500 every 25, not rerun here):');
  console.log(`  ${'method'.padEnd(58)} ${'false alarms (3,000 clean)'.padEnd(27)} delay`);
  for (const [m, fa, d] of PEERS) console.log(`  ${m.padEnd(58)} ${fa.padEnd(27)} ${d}`);
  console.log(`  ${'driftloop sequential detector (this run, defaults)'.padEnd(58)} ${`${afterClean.sequential.alarmed ? 1 : 0} (${CLEAN.toLocaleString('en-US')} clean)`.padEnd(27)} ${seqDelay ?? 'none'}`);
  console.log(`\nload average at the end ${load()}`);
} finally {
  service.child.kill('SIGTERM');
  await service.exited;
  killServiceProcesses();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** Sends records in batches; returns the OOD flags the service answered, in order. */
async function stream(records: DemoPrediction[], label: string, stopEarly = false): Promise<number[]> {
  const flags: number[] = [];
  const bar = progressBar(label, records.length);
  // Small batches once drifted data flows, so the alarm's position is not hidden inside one batch.
  const size = stopEarly ? 10 : BATCH;
  for (let i = 0; i < records.length; i += size) {
    const predictions = records.slice(i, i + size).map((r) => ({ id: r.id, embedding: r.embedding, scores: r.scores }));
    const res = must(await postJson(`${base}/predictions`, { predictions }), 'predictions');
    for (const r of res.body.results) flags.push(r.ood.isOod ? 1 : 0);
    bar.update(Math.min(records.length, i + size));
  }
  bar.stop();
  return flags;
}

/** Window-rule evaluations (window 500, every 25, defaults) that say drift on `flags`. */
function windowAlarms(flags: number[]): number {
  let alarms = 0;
  for (let t = 500; t <= flags.length; t += 25) if (windowDrift(flags.slice(t - 500, t))) alarms++;
  return alarms;
}

/** Predictions after the change until the window rule, evaluated every 25, first says drift. */
function firstWindowAlarm(before: number[], after: number[]): number | undefined {
  const all = [...before.slice(-500), ...after];
  const offset = Math.min(500, before.length);
  for (let t = offset + 25; t <= all.length; t += 25) if (windowDrift(all.slice(Math.max(0, t - 500), t))) return t - offset;
  return undefined;
}

function windowDrift(window: number[]): boolean {
  const { drift, ood } = defaultSettings();
  return oodRateTest({ oodCount: window.reduce((a, b) => a + b, 0), count: window.length, quantile: ood.quantile, threshold: drift.threshold, alpha: drift.alpha }).drift;
}

function must<T extends { status: number; body: any }>(res: T, what: string): T {
  if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res;
}

function shuffle(xs: number[], rnd: () => number): number[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}
function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
