/**
 * Accuracy-estimate benchmark: the shipped estimator beside naive CBPE (mean top-1 score),
 * calibrated (isotonic) CBPE, average thresholded confidence and a k-NN agreement estimator,
 *   1. on generated data with a known truth (30% corrupted inputs, 10% from concepts outside
 *      the taxonomy), label-free and with 400 queue-selected labels, over repeated runs;
 *   2. on the demo data (data/demo, real ground truth) through the real services: clean
 *      production, then phone photos, then 400 labels taken from the review queue;
 *   3. the time the estimate adds to a drift evaluation at a 1,000-prediction window.
 *
 *   npm run bench -- estimate [--runs 200] [--demo data/demo] [--timing-runs 30]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createContainer } from '../../src/composition/container.js';
import { loadConfig } from '../../src/config.js';
import { averageThresholdedConfidence, isotonicCbpe, knnAgreementEstimate, naiveCbpe } from '../../src/drift/performance/baselines.js';
import { ConfidenceCalibration } from '../../src/drift/performance/calibration.js';
import { estimatePerformance, PERFORMANCE_LABELS } from '../../src/drift/performance/estimate.js';
import type { CalibrationPair, PerformanceEstimate, PredictionSignals } from '../../src/drift/performance/performance.types.js';
import { readWindow } from '../../src/drift/production-window.js';
import { ownerReads } from '../../src/composition/ports.js';
import type { Model } from '../../src/models/model.js';
import { PerformanceWorld, truthOf } from '../../test/support/performance-world.js';
import { loadDemoDataset, type DemoPrediction } from '../demo/data/demo-dataset.js';
import { percentile } from '../lib/bench-util.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const RUNS = Number(option('runs', '200'));
const DEMO = option('demo', 'data/demo');
const TIMING_RUNS = Number(option('timing-runs', '30'));
const f3 = (x: number) => x.toFixed(3);

console.log(`estimate benchmark, ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (shared machine, under load)`);

// 1. Generated data with a known truth.
type Row = Record<string, number>;
const rows: { free: Row; labeled: Row; truth: number; coverFree: boolean; coverLabeled: boolean; widthFree: number; widthLabeled: number }[] = [];
for (let seed = 1; seed <= RUNS; seed++) {
  const world = new PerformanceWorld(seed);
  const pairs = world.calibration(1000);
  const calibration = ConfidenceCalibration.fit(pairs);
  const window = world.production(1000);
  const labels = world.queueSelect(world.production(4000), 400);
  const truth = truthOf(window);
  const free = estimatePerformance({ calibration, calibrationSource: 'eval', window, labeled: [] });
  const withLabels = estimatePerformance({ calibration, calibrationSource: 'eval', window, labeled: labels });
  const base = baselines(pairs, window);
  rows.push({
    truth,
    free: { ...base, shipped: free.estimatedAccuracy },
    labeled: { shipped: withLabels.estimatedAccuracy, 'raw labeled accuracy': withLabels.labeled!.accuracy },
    coverFree: covers(free, truth),
    coverLabeled: covers(withLabels, truth),
    widthFree: free.interval[1] - free.interval[0],
    widthLabeled: withLabels.interval[1] - withLabels.interval[0],
  });
}
console.log(`\n1. Generated data, ${RUNS} runs: 1,000 eval pairs (clean), a 1,000-prediction window (30% corrupted, 10% unseen concepts); truth mean ${f3(mean(rows.map((r) => r.truth)))}`);
console.log(`   ${'estimator'.padEnd(44)} ${'mean |err|'.padStart(10)} ${'bias'.padStart(7)} ${'≤0.035'.padStart(7)} ${'≤0.03'.padStart(7)} ${'covered'.padStart(8)} ${'width'.padStart(6)}`);
for (const name of Object.keys(rows[0]!.free)) {
  const errs = rows.map((r) => r.free[name]! - r.truth);
  const shipped = name === 'shipped';
  line(`label-free: ${shipped ? 'cbpe-knn-openset (shipped)' : name}`, errs, shipped ? rows.filter((r) => r.coverFree).length / RUNS : undefined, shipped ? mean(rows.map((r) => r.widthFree)) : undefined);
}
for (const name of Object.keys(rows[0]!.labeled)) {
  const errs = rows.map((r) => r.labeled[name]! - r.truth);
  const shipped = name === 'shipped';
  line(`400 labels: ${shipped ? 'stratified difference (shipped)' : name}`, errs, shipped ? rows.filter((r) => r.coverLabeled).length / RUNS : undefined, shipped ? mean(rows.map((r) => r.widthLabeled)) : undefined);
}

// 2. Demo data through the real services.
console.log(`\n2. Demo data (${DEMO}) through the real services: eval-clean sent as eval examples with the production model's scores`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-estimate-'));
const s = await createContainer(loadConfig({ DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { log: pino({ level: 'silent' }) });
try {
  const data = await loadDemoDataset(DEMO);
  const { model: created } = await s.models.put('pint', { ...data.model, settings: { drift: { windowSize: 1000, evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 } } });
  let model: Model = created;
  for (let i = 0; i < data.train.length; i += 500) await s.examples.add(model, data.train.slice(i, i + 500).map((r) => ({ id: r.id, embedding: r.embedding, concepts: [r.concept], split: 'train' as const })));
  await s.examples.add(model, data.evalClean.map((r) => ({ id: r.id, embedding: r.embedding, concepts: [r.concept], split: 'eval' as const, scores: r.scores })));
  const truthById = new Map([...data.prodClean, ...data.prodUgc].map((r) => [r.id, r]));
  const send = async (records: DemoPrediction[]) => {
    for (let i = 0; i < records.length; i += 200) {
      await s.predictions.ingest(model, records.slice(i, i + 200).map((r) => ({ id: r.id, embedding: r.embedding, scores: r.scores, encoder: data.model.encoder })));
    }
  };
  const pairs = (await s.driftProviders.performanceCalibration(model)) as { pairs: CalibrationPair[] };
  const report = async (label: string, window: DemoPrediction[]) => {
    const truth = mean(window.map((r) => (top1(r.scores) === r.concept ? 1 : 0)));
    const { evaluation } = await s.drift.evaluate(model, { record: false });
    const p = evaluation.performance!;
    const signals = (await readWindow(ownerReads(s.database.db).predictions, model)).signals;
    const base = baselines(pairs.pairs, signals);
    console.log(`   ${label.padEnd(40)} truth ${f3(truth)} | shipped ${f3(p.estimatedAccuracy)} [${f3(p.interval[0])}, ${f3(p.interval[1])}] ${covers(p, truth) ? 'covers' : 'MISSES'} | ${Object.entries(base).map(([k, v]) => `${k} ${f3(v)}`).join(', ')}`);
    console.log(`   ${''.padEnd(40)} method ${p.method}; reference ${p.reference === null ? '—' : f3(p.reference)}; labeled ${p.labeled ? `${p.labeled.n} at raw accuracy ${f3(p.labeled.accuracy)}` : 'none'}`);
  };
  await send(data.prodClean);
  await report('before drift: last 1,000 clean', data.prodClean.slice(-1000));
  await send(data.prodUgc);
  const window = data.prodUgc.slice(-1000);
  await report('after drift: last 1,000 phone photos', window);
  const known = new Set(model.concepts.map((c) => c.id));
  let labeled = 0;
  for (let round = 0; labeled < 400 && round < 40; round++) {
    const items = await s.queue.claim(model, `labeler-${round}`, 50);
    if (items.length === 0) break;
    const take = items.slice(0, 400 - labeled);
    await s.labels.submit(
      model,
      take.map((item) => {
        const concept = truthById.get(item.predictionId)!.concept;
        return known.has(concept) ? { itemId: item.itemId, labeler: `labeler-${round}`, concepts: [concept] } : { itemId: item.itemId, labeler: `labeler-${round}`, concepts: [], newConcepts: [concept] };
      }),
    );
    labeled += take.length;
  }
  model = await s.models.get('pint');
  await report(`after drift + ${labeled} queue-selected labels`, window);

  // 3. Time the estimate adds to a drift evaluation at this 1,000-prediction window, read from
  // the evaluation's own stopwatch: the estimate's inputs (calibration source, labeled signals)
  // and the estimate itself, beside everything else the evaluation does.
  const added: number[] = [];
  const own: number[] = [];
  const parts: Record<string, number[]> = { performance_inputs: [], performance: [] };
  for (let i = 0; i < TIMING_RUNS; i++) {
    const { evaluation } = await s.drift.evaluate(model, { record: false });
    const t = evaluation.timingsMs;
    const mine = (t.performance_inputs ?? 0) + (t.performance ?? 0);
    parts.performance_inputs!.push(t.performance_inputs ?? 0);
    parts.performance!.push(t.performance ?? 0);
    added.push(mine);
    own.push(t.total! - mine);
  }
  const pq = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p90 ${percentile(xs, 90).toFixed(1)} ms`;
  console.log(`\n3. Time the estimate adds to a drift evaluation at a 1,000-prediction window (${TIMING_RUNS} evaluations; ${labeled} labels, up to ${PERFORMANCE_LABELS} read; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString()})`);
  console.log(`   added by the estimate:             ${pq(added)}   (ceiling 20 ms)`);
  console.log(`     inputs (calibration, labels):    ${pq(parts.performance_inputs!)}`);
  console.log(`     estimate (one pass over window): ${pq(parts.performance!)}`);
  console.log(`   the drift evaluation's own time:   ${pq(own)}`);
} finally {
  await s.drift.stop();
  await s.database.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

function baselines(pairs: CalibrationPair[], window: readonly PredictionSignals[]): Row {
  return {
    'naive CBPE': naiveCbpe(window),
    'isotonic CBPE': isotonicCbpe(pairs, window),
    ATC: averageThresholdedConfidence(pairs, window),
    'k-NN agreement': knnAgreementEstimate(pairs, window),
  };
}

function line(name: string, errs: number[], coverage: number | undefined, width: number | undefined): void {
  const abs = errs.map(Math.abs);
  const share = (t: number) => `${((100 * abs.filter((e) => e <= t).length) / abs.length).toFixed(0)}%`;
  console.log(
    `   ${name.padEnd(44)} ${f3(mean(abs)).padStart(10)} ${f3(mean(errs)).padStart(7)} ${share(0.035).padStart(7)} ${share(0.03).padStart(7)} ${(coverage === undefined ? '—' : `${(100 * coverage).toFixed(0)}%`).padStart(8)} ${(width === undefined ? '—' : f3(width)).padStart(6)}`,
  );
}

function covers(e: PerformanceEstimate, truth: number): boolean {
  return e.interval[0] <= truth && truth <= e.interval[1];
}

function top1(scores: Record<string, number>): string {
  return Object.entries(scores).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}
