/**
 * Offline check of label spreading in training: random labels from the demo's production
 * traffic, trained with the service's own data layout, weights and TF.js trainer, with and
 * without pseudo-labels spread to the unlabeled production items. Not the benchmark (no
 * queue, no HTTP); a fast loop to decide what is worth running through `npm run bench -- labels`.
 * `npx tsx scripts/bench/labels/propagation-sim.ts [variants...]`
 */
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../../../src/util/random.js';
import { loadDemoDataset } from '../../demo/data/demo-dataset.js';
import { spreadLabels } from './label-spreading.js';
import { offlineTrainer } from './offline-train.js';

const root = path.resolve(import.meta.dirname, '../../..');
const data = await loadDemoDataset(path.join(root, 'data/demo'));
const train = await offlineTrainer(data);
const pool = [...data.prodClean, ...data.prodUgc];

interface Variant { name: string; ugcOnly?: boolean; hidden?: number; spread?: { k: number; alpha: number; minConfidence: number; weight: number } }
const variants: Variant[] = [
  { name: 'plain' },
  { name: 'hidden64', hidden: 64 },
  { name: 'ugc-only', ugcOnly: true },
  { name: 'ugc-hidden64', ugcOnly: true, hidden: 64 },
  { name: 'ugc-spread', ugcOnly: true, spread: { k: 10, alpha: 0.9, minConfidence: 0.6, weight: 0.5 } },
  { name: 'hidden32', hidden: 32 },
  { name: 'spread k10 w0.5 c0.6', spread: { k: 10, alpha: 0.9, minConfidence: 0.6, weight: 0.5 } },
  { name: 'spread k10 w1 c0.5', spread: { k: 10, alpha: 0.9, minConfidence: 0.5, weight: 1 } },
];
const wanted = process.argv.slice(2);
const run = wanted.length ? variants.filter((v) => wanted.some((w) => v.name.startsWith(w))) : variants;

async function measure(order: typeof pool, n: number, v: Variant): Promise<number> {
  const chosen = order.slice(0, n);
  const chosenIds = new Set(chosen.map((r) => r.id));
  const unlabeled = pool.filter((r) => !chosenIds.has(r.id)).map((r) => r.embedding);
  const spread = v.spread;
  const model = await train(chosen, {
    hiddenUnits: v.hidden,
    // A pseudo-labeled row weighs what a labeled production row of its concept weighs, times weight × confidence.
    extend: spread
      ? (fit, weights, k) => {
          const dim = fit.dim;
          const pseudo = spreadLabels(fit, k, unlabeled, spread);
          const perConcept = new Float64Array(k);
          for (let i = 0; i < fit.n; i++) if (fit.production[i] === 1) for (let c = 0; c < k; c++) if (fit.y[i * k + c] === 1) perConcept[c] = weights[i]!;
          const total = fit.n + pseudo.length;
          const x = new Float32Array(total * dim);
          const y = new Float32Array(total * k);
          const w = new Float32Array(total);
          x.set(fit.x);
          y.set(fit.y);
          w.set(weights);
          pseudo.forEach((p, j) => {
            x.set(unlabeled[p.index]!, (fit.n + j) * dim);
            y[(fit.n + j) * k + p.concept] = 1;
            w[fit.n + j] = perConcept[p.concept]! * spread.weight * p.confidence;
          });
          return { fit: { ...fit, n: total, x, y }, weights: w };
        }
      : undefined,
  });
  model.dispose();
  return model.accuracy;
}

console.log(`propagation sim: load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
const sizes = (process.env.SIZES ?? '300,600,1200,2400').split(',').map(Number);
for (const v of run) {
  const rows: number[][] = [];
  for (const seed of seeds) {
    const rand = mulberry32(seed);
    const order = (v.ugcOnly ? data.prodUgc : pool).map((r) => ({ r, k: rand() })).sort((a, b) => a.k - b.k).map((o) => o.r);
    const row: number[] = [];
    for (const n of sizes) row.push(await measure(order, n, v));
    rows.push(row);
    console.log(`  ${v.name.padEnd(24)} seed ${seed}: ${row.map((a) => (100 * a).toFixed(1)).join(' / ')}`);
  }
  const mean = rows[0]!.map((_, j) => rows.reduce((a, r) => a + r[j]!, 0) / rows.length);
  console.log(`  ${v.name.padEnd(24)} mean  : ${mean.map((a) => (100 * a).toFixed(1)).join(' / ')}`);
}
