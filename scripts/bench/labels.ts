/**
 * `npm run bench -- labels [--port 56510] [--runs shipped,random,...] [--bulk 150] [--bulk-radius 1,2] [--per-concept] [--svg docs/images/labels-curves.svg]`
 *
 * The real loop over HTTP on the committed demo data, once per selection policy, through one
 * service: first champion on the clean examples, 1,400 clean then 3,000 phone-like predictions,
 * a simulated labeler answering claims from ground truth, and a retraining at each checkpoint.
 * Prints accuracy on the held-out phone-like set after 300, 600 and 1,200 labels (random also
 * at 2,400 for the 2N comparison), clean accuracy against the first champion, and the bulk
 * labeling rate under an explicit time model. Fixed seeds: training (retrain.seed), random
 * order (queue.selectionSeed), regions (regions.seed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { defaultSettings } from '../../src/models/settings.js';
import { loadDemoDataset } from '../demo/data/demo-dataset.js';
import { ApiClient } from '../demo/run/api-client.js';
import { DEMO_SPLIT_SECRET } from '../demo/run/demo.runner.js';
import { startServiceProcess } from '../lib/service-process.js';
import { runBulk, TIME_MODEL } from './labels/bulk-run.js';
import { accuracyChart } from './labels/chart.js';
import { runLoop, type RunResult, type RunSpec } from './labels/loop-run.js';

const root = path.resolve(import.meta.dirname, '../..');
const opts = new Command()
  .option('--port <n>', 'service port', '56510')
  .option('--runs <names>', 'runs to do (comma-separated)', 'shipped,shipped-grid,random,random-seed2,random-seed3,drifted,drifted-seed2,drifted-seed3')
  .option('--bulk <n>', 'answered items in the bulk-labeling session (0: skip)', '150')
  .option('--bulk-radius <list>', "grid radii to measure, multiples of the typical training neighbour distance (the page's is 1)", '1,2')
  .option('--per-concept', 'print, per checkpoint, the labels given per true concept and its recall / answered share on the phone-like eval')
  .option('--svg <file>', 'accuracy chart', path.join(root, 'docs/images/labels-curves.svg'))
  .option('--json <file>', 'also write the runs (curves, decisions, per-concept figures) as JSON')
  .option('--chart-from <files>', 'only draw the chart from earlier --json outputs (comma-separated), no runs')
  .parse()
  .opts<{ port: string; runs: string; bulk: string; bulkRadius: string; svg: string; json?: string; chartFrom?: string; perConcept?: boolean }>();
const TITLE = 'driftloop: accuracy per production label (demo data, one run each)';
if (opts.chartFrom) {
  const runs = opts.chartFrom.split(',').flatMap((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as RunResult[]);
  fs.writeFileSync(opts.svg, accuracyChart(runs, TITLE));
  console.log(`chart of ${runs.length} runs: ${path.relative(root, opts.svg)}`);
  process.exit(0);
}

const shipped = defaultSettings().queue.selection;
const N = [300, 600, 1200];
const ALL: RunSpec[] = [
  { name: 'shipped', selection: shipped, checkpoints: N },
  { name: 'random', selection: 'random', checkpoints: [...N, 2400] },
  { name: 'uncertainty', selection: 'uncertainty', checkpoints: N },
  { name: 'priority', selection: 'priority', checkpoints: N },
  { name: 'drifted', selection: 'drifted', checkpoints: N },
  { name: 'drifted-seed2', selection: 'drifted', checkpoints: N, queue: { selectionSeed: 2 } },
  { name: 'shipped-grid', selection: shipped, checkpoints: N, grid: 2 },
  { name: 'drifted-seed3', selection: 'drifted', checkpoints: N, queue: { selectionSeed: 3 } },
  { name: 'typical', selection: 'typical', checkpoints: N },
  { name: 'adaptive-100', selection: 'adaptive', checkpoints: N, queue: { typicalUntil: 100 } },
  { name: 'random-seed2', selection: 'random', checkpoints: [...N, 2400], queue: { selectionSeed: 2 } },
  { name: 'random-seed3', selection: 'random', checkpoints: [...N, 2400], queue: { selectionSeed: 3 } },
  { name: 'adaptive', selection: 'adaptive', checkpoints: N },
  { name: 'adaptive-hidden64', selection: 'adaptive', checkpoints: N, retrain: { hiddenUnits: 64 } },
];
const wanted = opts.runs.split(',');
const specs = ALL.filter((s) => wanted.includes(s.name));
const pct = (x: number | undefined) => (x === undefined ? '    —' : `${(100 * x).toFixed(1).padStart(5)}%`);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-labels-'));
const service = await startServiceProcess({ PORT: opts.port, HOST: '127.0.0.1', DRIFTLOOP_DATA_DIR: dataDir, DRIFTLOOP_SPLIT_SECRET: DEMO_SPLIT_SECRET });
const api = new ApiClient(service.url);
const started = performance.now();
try {
  const data = await loadDemoDataset(path.join(root, 'data/demo'));
  console.log(`labels benchmark on data/demo: ${data.train.length} clean examples, ${data.prodClean.length} clean + ${data.prodUgc.length} phone-like predictions, eval ${data.evalUgc.length} phone-like / ${data.evalClean.length} clean`);
  console.log(`shipped policy: queue.selection = '${shipped}'; ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString()}`);
  const results: RunResult[] = [];
  for (const spec of specs) {
    const r = await runLoop(api, data, spec, (c) => {
      console.error(`  ${spec.name} @${c.labels}${c.stored !== c.labels ? ` (+${c.stored - c.labels} bulk = ${c.stored} labels)` : ''}: ugc ${pct(c.ugc)} clean ${pct(c.clean)} concepts ${c.concepts} v${c.version} ${c.decision}`);
      if (opts.perConcept) console.error(`    per concept (labels given / recall / answered share): ${c.perConcept.map((p) => `${p.concept} ${p.labels}/${(100 * p.recall).toFixed(0)}%/${(100 * p.answered).toFixed(0)}%`).join(', ')}`);
    });
    results.push(r);
    console.log(`  ${spec.name.padEnd(17)} ${r.seconds.toFixed(0)} s, load ${os.loadavg()[0]!.toFixed(2)}`);
  }

  if (results.length > 0) console.log('\naccuracy on held-out phone-like inputs (first champion → after N labels)');
  const cols = [0, ...new Set(specs.flatMap((s) => s.checkpoints))].sort((a, b) => a - b);
  if (results.length > 0) console.log(`  ${'run'.padEnd(17)} ${cols.map((n) => String(n).padStart(6)).join(' ')}   clean@0 → clean@last`);
  for (const r of results) {
    const at = (n: number) => (n === 0 ? r.first.ugc : r.checkpoints.find((c) => c.labels === n)?.ugc);
    const last = r.checkpoints.at(-1)!;
    console.log(`  ${r.spec.name.padEnd(17)} ${cols.map((n) => pct(at(n)).padStart(6)).join(' ')}   ${pct(r.first.clean)} → ${pct(last.clean)}`);
  }
  if (results.length > 0) console.log('\npromotion decisions (the rule: better on production eval, clean macro-F1 within retrain.maxCleanRegression)');
  for (const r of results) console.log(`  ${r.spec.name.padEnd(17)} ${r.checkpoints.map((c) => `@${c.labels} v${c.version} ${c.decision}`).join('; ')}`);

  const ship = results.find((r) => r.spec.name === 'shipped');
  const randoms = results.filter((r) => r.spec.selection === 'random');
  const rand = results.find((r) => r.spec.name === 'random');
  const randomAt = (n: number) => {
    const xs = randoms.map((r) => r.checkpoints.find((c) => c.labels === n)?.ugc).filter((x): x is number => x !== undefined);
    return xs.length ? { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs), n: xs.length } : undefined;
  };
  if (ship && rand) {
    console.log(`\ngoal: shipped@N ≥ random@2N (random: seed 1, and the mean [min–max] of ${randoms.length} seeds)`);
    for (const n of N) {
      const s = ship.checkpoints.find((c) => c.labels === n)?.ugc;
      const r2 = rand.checkpoints.find((c) => c.labels === 2 * n)?.ugc;
      const m2 = randomAt(2 * n);
      const m1 = randomAt(n);
      const verdict = (x: number | undefined) => (s === undefined || x === undefined ? 'not measured' : s >= x ? 'REACHED' : 'not reached');
      console.log(`  N=${String(n).padEnd(5)} shipped ${pct(s)} | random@N mean ${pct(m1?.mean)} | random@2N seed 1 ${pct(r2)} → ${verdict(r2)}; mean ${pct(m2?.mean)} [${pct(m2?.min)}–${pct(m2?.max)}] → ${verdict(m2?.mean)}`);
    }
    const grid = results.find((r) => r.spec.grid !== undefined);
    if (grid) {
      console.log(`\nper answer, with the page's bulk grid (${grid.spec.name}: a labeler who never selects a wrong tile): N answers, plus their grid labels, against random with 2N labels`);
      for (const c of grid.checkpoints) {
        const m2 = randomAt(2 * c.labels);
        const verdict = m2 === undefined ? 'not measured' : c.ugc >= m2.mean ? 'REACHED' : 'not reached';
        console.log(`  N=${String(c.labels).padEnd(5)} ${grid.spec.name} ${pct(c.ugc)} (${c.stored} labels) | random@2N mean ${pct(m2?.mean)} → ${verdict}`);
      }
    }
    console.log('\nclean accuracy vs the first champion (goal: within 0.02)');
    for (const c of ship.checkpoints) {
      const d = c.clean - ship.first.clean;
      console.log(`  shipped @${String(c.labels).padEnd(5)} ${pct(c.clean)} vs ${pct(ship.first.clean)}: ${d >= 0 ? '+' : ''}${d.toFixed(3)} ${d >= -0.02 ? 'within' : 'OUTSIDE'}`);
    }
  }
  if (results.length > 0) {
    fs.mkdirSync(path.dirname(opts.svg), { recursive: true });
    fs.writeFileSync(opts.svg, accuracyChart(results, TITLE));
    console.log(`\nchart: ${path.relative(root, opts.svg)}`);
    if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(results));
  }

  const decisions = Number(opts.bulk);
  if (decisions > 0) {
    console.log(`\nbulk labeling: ${decisions} answered items per grid radius; time model per decision: answer ${TIME_MODEL.answer} s, grid tile glance ${TIME_MODEL.tile} s, toggle ${TIME_MODEL.toggle} s, confirm ${TIME_MODEL.confirm} s`);
    for (const radius of opts.bulkRadius.split(',').map(Number)) {
      const b = await runBulk(api, data, decisions, radius);
      console.log(`  radius ${radius}: ${b.answered} answers + ${b.bulk} bulk confirmations from ${b.tilesShown} grid tiles (${(b.tilesShown / b.answered).toFixed(2)} tiles per answer, precision of the grid ${pct(b.gridPrecision)})`);
      console.log(`    one item at a time: ${b.perMinuteSingle.toFixed(1)} labels/min; with grids: ${b.perMinuteBulk.toFixed(1)} labels/min (×${(b.perMinuteBulk / b.perMinuteSingle).toFixed(2)})`);
    }
  }
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s wall; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} catch (err) {
  // The service's own account of a failure (a crash shows only as a reset connection here).
  console.error(`service log, last lines:\n${service.logs.slice(-15).join('\n')}`);
  throw err;
} finally {
  service.child.kill('SIGTERM');
  await service.exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
}
