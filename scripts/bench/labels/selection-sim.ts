/**
 * Offline selection simulator: replays the labels benchmark's own queue pool (queue-pool.ts
 * writes it; run that first) and the service's trainer (offline-train.ts), so a policy costs
 * seconds instead of a benchmark run. Budgets grow in the benchmark's steps (300, 600, 1,200;
 * random also 2,400), a retraining after each; policies that read the champion see the one
 * trained at the previous step, as claims do. Three seeds (k-means, random draws).
 * `npx tsx scripts/bench/labels/selection-sim.ts [--pool file] [--policies random,typiclust,...] [--seeds 1,2,3]`
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { mulberry32 } from '../../../src/util/random.js';
import { loadDemoDataset } from '../../demo/data/demo-dataset.js';
import { offlineTrainer, type TrainOptions } from './offline-train.js';
import { DEFAULT_POOL_FILE, type PoolItem } from './queue-pool.js';
import * as P from './sim-policies.js';

const root = path.resolve(import.meta.dirname, '../../..');
const opts = new Command()
  .option('--pool <file>', 'queue pool from queue-pool.ts', DEFAULT_POOL_FILE)
  .option('--policies <names>', 'policies (comma-separated)', 'random,priority,typiclust')
  .option('--seeds <list>', 'seeds', '1,2,3')
  .parse()
  .opts<{ pool: string; policies: string; seeds: string }>();

const ood = (ctx: P.StepContext, i: number) => ctx.pool[i]!.ood;
const POLICIES: Record<string, { policy: () => P.SimPolicy; train?: TrainOptions; steps?: number[] }> = {
  random: { policy: () => P.random, steps: [300, 600, 1200, 2400] },
  priority: { policy: () => P.priority },
  margin: { policy: () => P.margins },
  'class-balanced': { policy: () => P.classBalanced },
  typiclust: { policy: () => P.typiclust() },
  'typiclust-ood': { policy: () => P.typiclust(ood) },
  probcover: { policy: () => P.probcover() },
  'cluster-margin': { policy: () => P.clusterMargin() },
  badge: { policy: () => P.badge },
  'typiclust-then-margin': { policy: () => P.phased(P.typiclust(), P.clusterMargin()) },
  'typiclust-then-badge': { policy: () => P.phased(P.typiclust(), P.badge) },
  'random-then-margin': { policy: () => P.phased(P.random, P.margins) },
  'priority-then-margin': { policy: () => P.phased(P.priority, P.margins) },
  'random-then-cluster-margin': { policy: () => P.phased(P.random, P.clusterMargin()) },
  'margin-density': { policy: () => P.marginDensity() },
  'random-then-margin-density': { policy: () => P.phased(P.random, P.marginDensity()) },
  'oracle-errors': { policy: () => P.oracleErrors },
  'oracle-balanced': { policy: () => P.oracleBalanced },
  // The ceiling: every queue item labeled.
  'all-queue': { policy: () => P.random, steps: [1e9] },
};

const data = await loadDemoDataset(path.join(root, 'data/demo'));
const byId = new Map([...data.prodClean, ...data.prodUgc].map((r) => [r.id, r]));
const stored = JSON.parse(fs.readFileSync(opts.pool, 'utf8')) as PoolItem[];
const records = stored.map((p) => byId.get(p.predictionId)!);
const unit = (v: Float32Array | number[]) => {
  const n = Math.hypot(...v) || 1;
  return Float32Array.from(v, (x) => x / n);
};
const pool: P.SimPoolItem[] = stored.map((p, i) => ({ x: unit(records[i]!.embedding), priority: p.priority, ood: p.ood }));
const dist = new P.Distances(pool.length, pool.map((p) => p.x));
const train = await offlineTrainer(data);
console.log(`selection sim: pool ${pool.length} queue items; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${new Date().toISOString()}`);

const seeds = opts.seeds.split(',').map(Number);
const means = new Map<string, Map<number, number>>();
for (const name of opts.policies.split(',')) {
  // `policy@w8`: the policy with retrain.productionWeight 8.
  const [base, w] = name.split('@w');
  const def = POLICIES[base!] && { ...POLICIES[base!]!, train: w ? { productionWeight: Number(w) } : undefined };
  if (!def) throw new Error(`unknown policy ${name}; known: ${Object.keys(POLICIES).join(', ')}`);
  const steps = def.steps ?? [300, 600, 1200];
  const sums = new Map<number, number>();
  const started = performance.now();
  for (const seed of seeds) {
    const policy = def.policy();
    const labeled = new Set<number>();
    let champion = await train([], def.train);
    const row: string[] = [];
    const clean: string[] = [];
    for (const n of steps) {
      const probs = champion.probabilities(records);
      const k = champion.concepts.length;
      const answer = (i: number) => {
        let best = 0;
        for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
        return champion.concepts[best];
      };
      const oracle = { wrong: (i: number) => answer(i) !== records[i]!.concept, truth: (i: number) => records[i]!.concept };
      const picked = policy({ pool, labeled, budget: Math.min(n, pool.length) - labeled.size, probs, classes: k, rand: mulberry32(seed * 1000 + n), seed, dist, oracle });
      for (const i of picked) labeled.add(i);
      champion.dispose();
      champion = await train([...labeled].map((i) => records[i]!), def.train);
      sums.set(n, (sums.get(n) ?? 0) + champion.accuracy);
      row.push(`${(100 * champion.accuracy).toFixed(1)}`);
      clean.push(`${(100 * champion.clean).toFixed(1)}`);
    }
    champion.dispose();
    console.log(`  ${name.padEnd(22)} seed ${seed}: ${row.join(' / ')}   (clean ${clean.join(' / ')})`);
  }
  const mean = new Map([...sums].map(([n, s]) => [n, s / seeds.length]));
  means.set(name, mean);
  console.log(`  ${name.padEnd(22)} mean  : ${[...mean.values()].map((a) => (100 * a).toFixed(1)).join(' / ')}  (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
const rand = [...means].find(([n]) => n.startsWith('random'))?.[1];
if (rand) {
  console.log('\ngoal: policy@N ≥ random@2N (means over seeds; random: the first random run listed)');
  for (const [name, m] of means) {
    if (name.startsWith('random') || name.startsWith('all')) continue;
    console.log(`  ${name.padEnd(22)} ${[300, 600, 1200].map((n) => `N=${n} ${(100 * m.get(n)!).toFixed(1)} vs ${(100 * rand.get(2 * n)!).toFixed(1)}${m.get(n)! >= rand.get(2 * n)! ? ' ✓' : ''}`).join(' | ')}`);
  }
}
console.log(`load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
