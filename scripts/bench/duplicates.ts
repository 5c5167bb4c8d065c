/**
 * Near-duplicate index study: `npm run bench -- duplicates [--data clustered|demo] [--dim 32]
 * [--points 160000] [--generation 100000] [--queries 2000] [--m 12,16] [--ef-construction 16,24,32,48]
 * [--ef-search 8,12,16,24,32,48] [--fraction 0.25]`.
 *
 * The queue's near-duplicate index (`src/queue/near-duplicates.ts`) answers one question per
 * queue candidate: is an item already queued within the duplicate radius, and which is nearest?
 * Its graph parameters cost main-thread time on every queued prediction (a search of both
 * generations ahead of the transaction, an insert in it), so they are chosen here with numbers.
 *
 * Builds the service's two-generation index (`GenerationalIndex`, cosine)
 * once per M × efConstruction, then, per efSearch, runs two kinds of queries at k = 4 as the queue does:
 * - near duplicates: an indexed point turned by a random angle, at a cosine distance drawn
 *   uniformly below the radius (a re-encoded or resized copy);
 * - fresh points of the same distribution (most queue candidates: no duplicate at all).
 * The radius is the service's: `fraction`² × the typical distance (the median of each
 * in-distribution point's mean distance to its 10 nearest). The truth is exact (hnswlib's brute
 * force over both generations' points). Prints, per efConstruction × efSearch, inserts and
 * searches per CPU second on this one thread, the share of exact resends (a held point sent
 * again) that find their point, the share of near-duplicate queries whose duplicate the index
 * finds ("found") and whose first candidate within the radius is the exact
 * nearest ("same pick"), and the fresh queries with a point within the radius that it misses.
 *
 * `--data demo` takes the committed demo data's embeddings (64 dims, 11,650 records) as the
 * points, with `--generation` capped to put about 60% in the current generation.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { DUPLICATE_HNSW } from '../../src/queue/near-duplicates.js';
import { duplicateRadius } from '../../src/reference/duplicate-radius.js';
import { GenerationalIndex } from '../../src/vectors/generational-index.js';
import { HnswIndex } from '../../src/vectors/hnsw-index.js';
import { describeHnswlibBuild, loadHnswlib } from '../../src/vectors/hnswlib-build.js';
import { gaussian, mulberry32 } from '../../src/util/random.js';
import { loadDemoDataset } from '../demo/data/demo-dataset.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'clustered' },
    dim: { type: 'string', default: '32' },
    points: { type: 'string', default: '160000' },
    generation: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '2000' },
    m: { type: 'string', default: String(DUPLICATE_HNSW.m) },
    'ef-construction': { type: 'string', default: '16,24,32,48' },
    'ef-search': { type: 'string', default: '8,12,16,24,32,48' },
    fraction: { type: 'string', default: '0.25' },
  },
});
const K = 4;
const NEIGHBOURS = 10;
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const rand = mulberry32(7);
const normal = gaussian(rand);

function unit(v: readonly number[]): number[] {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

/** `x` turned by a random angle whose cosine distance to it is `distance` (1 − cos). */
function turned(x: readonly number[], distance: number): number[] {
  const a = unit(x);
  // A random direction orthogonal to `a`.
  const r = a.map(() => normal());
  const along = r.reduce((s, v, i) => s + v * a[i]!, 0);
  const u = unit(r.map((v, i) => v - along * a[i]!));
  const cos = 1 - distance;
  const sin = Math.sqrt(Math.max(0, 1 - cos * cos));
  return a.map((v, i) => v * cos + u[i]! * sin);
}

/** Points, in-distribution points (for the typical distance) and fresh queries. */
async function dataset(): Promise<{ label: string; points: number[][]; inDistribution: number[][]; fresh: number[][]; generation: number }> {
  const queries = Number(args.queries);
  if (args.data === 'demo') {
    const demo = await loadDemoDataset(path.resolve(import.meta.dirname, '../../data/demo'));
    const all = [...demo.train, ...demo.prodClean, ...demo.prodUgc, ...demo.evalClean, ...demo.evalUgc].map((r) => r.embedding);
    // Shuffled: fresh queries come from the same mixture as the points.
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    const fresh = all.splice(0, Math.min(queries, Math.floor(all.length / 5)));
    return { label: `demo data, ${all.length} embeddings × ${all[0]!.length} dims`, points: all, inDistribution: demo.train.map((r) => r.embedding), fresh, generation: Math.min(Number(args.generation), Math.ceil(all.length * 0.6)) };
  }
  const dim = Number(args.dim);
  // The queue benchmark's shape: five clusters, a quarter of the points far from all of them.
  const data = new ClusteredData({ dim, clusters: 5, spread: 0.3, seed: 42 });
  const draw = (i: number) => (i % 4 === 0 ? data.outlier(3) : data.point(data.cluster()));
  const points = Array.from({ length: Number(args.points) }, (_, i) => draw(i));
  const fresh = Array.from({ length: queries }, (_, i) => draw(i));
  const inDistribution = Array.from({ length: 2000 }, () => data.point(data.cluster()));
  return { label: `clustered, ${points.length} points × ${dim} dims (5 clusters, spread 0.3, a quarter outliers)`, points, inDistribution, fresh, generation: Number(args.generation) };
}

const { label, points, inDistribution, fresh, generation } = await dataset();
const dim = points[0]!.length;
const hnswlib = loadHnswlib();
// The points both generations hold after all adds: the newest generation + (n − 1) mod generation + 1.
const held = points.length <= 2 * generation ? points.length : generation + ((points.length - 1) % generation) + 1;
const heldFrom = points.length - held;
const exact = new hnswlib.BruteforceSearch('cosine', dim);
exact.initIndex(held);
for (let i = heldFrom; i < points.length; i++) exact.addPoint(points[i]!, i);

// The typical distance as the service computes it: the median of in-distribution points' mean distance to their 10 nearest.
const train = new hnswlib.BruteforceSearch('cosine', dim);
train.initIndex(inDistribution.length);
inDistribution.forEach((p, i) => train.addPoint(p, i));
const means = inDistribution.slice(0, 500).map((p) => {
  const { distances } = train.searchKnn(p, NEIGHBOURS + 1);
  return distances.slice(1).reduce((a, b) => a + b, 0) / NEIGHBOURS;
});
const typical = means.sort((a, b) => a - b)[Math.floor(means.length / 2)]!;
const radius = duplicateRadius('cosine', Number(args.fraction), typical);

// Near duplicates of points the index holds, at distances drawn uniformly below the radius, and exact resends.
const duplicates = Array.from({ length: Number(args.queries) }, () => turned(points[heldFrom + Math.floor(rand() * held)]!, rand() * radius));
const resends = Array.from({ length: Number(args.queries) }, () => heldFrom + Math.floor(rand() * held));
/** The exact nearest point within the radius, if any. */
const truth = (q: number[]) => {
  const { neighbors, distances } = exact.searchKnn(q, 1);
  return distances[0]! <= radius ? neighbors[0] : undefined;
};
const dupTruth = duplicates.map(truth);
const freshTruth = fresh.map(truth);

console.log(`near-duplicate index study: ${label}; two generations of ${generation} (${held} points held), cosine, k ${K}; typical distance ${typical.toFixed(4)}, radius ${radius.toExponential(2)} (fraction ${args.fraction}); ${resends.length} exact resends, ${duplicates.length} near-duplicate and ${fresh.length} fresh queries (${freshTruth.filter((t) => t !== undefined).length} of them with a point within the radius); shipped: M ${DUPLICATE_HNSW.m}, efConstruction ${DUPLICATE_HNSW.efConstruction}, efSearch ${DUPLICATE_HNSW.efSearch}; hnswlib-node ${describeHnswlibBuild()}; ${os.cpus().length} cores, load average ${loadavg()}`);
console.log('| M | efConstruction | efSearch | inserts per CPU s | searches per CPU s | exact resends found | near duplicates found | same pick | fresh misses | load average |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const m of args.m.split(',').map(Number)) for (const efConstruction of args['ef-construction'].split(',').map(Number)) {
  const params = GenerationalIndex.params({ m, efConstruction, efSearch: DUPLICATE_HNSW.efSearch }, generation);
  const index = new GenerationalIndex(generation, [HnswIndex.create('cosine', dim, params), HnswIndex.create('cosine', dim, params)]);
  const t0 = cpuSeconds();
  points.forEach((p, i) => index.add(i, p));
  const inserts = points.length / (cpuSeconds() - t0);
  for (const efSearch of args['ef-search'].split(',').map(Number)) {
    // Both generations hold this very object (the bench's own, not frozen): their searches read efSearch from it.
    params.efSearch = efSearch;
    if (index.generations.some((g) => g.params.efSearch !== efSearch)) throw new Error('the generations do not search at the efSearch set');
    const within = (q: number[]) => {
      const found = index.search(q, K);
      const i = found.distances.findIndex((d) => d <= radius);
      return i < 0 ? undefined : found.labels[i];
    };
    const t1 = cpuSeconds();
    const dupFound = duplicates.map(within);
    const freshFound = fresh.map(within);
    const resent = resends.filter((i) => within(points[i]!) === i).length / resends.length;
    const searches = (duplicates.length + fresh.length + resends.length) / (cpuSeconds() - t1);
    const found = dupFound.filter((f) => f !== undefined).length / duplicates.length;
    const same = dupFound.filter((f, i) => f === dupTruth[i]).length / duplicates.length;
    const misses = freshFound.filter((f, i) => freshTruth[i] !== undefined && f === undefined).length;
    const mark = m === DUPLICATE_HNSW.m && efConstruction === DUPLICATE_HNSW.efConstruction && efSearch === DUPLICATE_HNSW.efSearch ? ' (shipped)' : '';
    console.log(`| ${m} | ${efConstruction} | ${efSearch}${mark} | ${inserts.toFixed(0)} | ${searches.toFixed(0)} | ${resent.toFixed(4)} | ${found.toFixed(4)} | ${same.toFixed(4)} | ${misses} | ${loadavg()} |`);
  }
}
