/**
 * The near-duplicate index at a full window: `npm run bench -- window [--window 200000] [--dim 32]
 * [--queries 100]`. On one thread, clustered data, the shipped graph parameters (M 12,
 * efConstruction 48, efSearch 48): fills a `GenerationalIndex` (two generations of window/2) to
 * the window and times a whole generation of further adds (rotation included) and lookups (k 4);
 * then, as the ceiling, plain adds into one index of the same size (the last window/10 of its
 * fill), and hnswlib's replace-deleted add into that full index (the window as it was kept before:
 * each add past it drops the oldest point and takes its slot). CPU time per operation, and recall@4
 * against exact neighbours of the points each index holds.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import hnswlib from 'hnswlib-node';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { exactNeighbors, recallAt } from '../../test/support/recall.js';
import { DUPLICATE_HNSW } from '../../src/queue/near-duplicates.js';
import { GenerationalIndex } from '../../src/vectors/generational-index.js';
import { HnswIndex } from '../../src/vectors/hnsw-index.js';

const { values: args } = parseArgs({
  options: {
    window: { type: 'string', default: '200000' },
    dim: { type: 'string', default: '32' },
    queries: { type: 'string', default: '100' },
  },
});
const WINDOW = Number(args.window);
const DIM = Number(args.dim);
const HALF = Math.floor(WINDOW / 2);
const K = 4;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const us = (ms: number, n: number) => `${((ms * 1000) / n).toFixed(1)} µs`;

const data = new ClusteredData({ dim: DIM, clusters: 50, spread: 0.6, seed: 42 });
const total = WINDOW + HALF;
const points = Array.from({ length: total }, (_, i) => data.point(i % 50));
const queries = Array.from({ length: Number(args.queries) }, () => data.point(data.cluster()));
console.log(`near-duplicate window: ${WINDOW} points × ${DIM} dims (50 clusters), M ${DUPLICATE_HNSW.m}, efConstruction ${DUPLICATE_HNSW.efConstruction}, efSearch ${DUPLICATE_HNSW.efSearch}, k ${K}, one thread; ${os.cpus().length} cores, load average ${loadavg()}`);

/** Times `n` lookups and returns recall@K against the exact neighbours among `held` labels (1-based). */
function lookups(search: (q: number[]) => number[], held: number[]): { ms: number; recall: number } {
  const rounds = Math.max(1, Math.ceil(5000 / queries.length));
  const t = cpuMs();
  let found: number[][] = [];
  for (let r = 0; r < rounds; r++) found = queries.map(search);
  const ms = (cpuMs() - t) / rounds;
  const truth = exactNeighbors(held.map((l) => points[l - 1]!), queries, K, 'cosine').map((ids) => ids.map((i) => held[i]!));
  return { ms, recall: recallAt(found, truth) };
}

// Two generations: fill to the window, then one whole generation more (one rotation, then a generation's growth).
const params = GenerationalIndex.params(DUPLICATE_HNSW, HALF);
const gen = new GenerationalIndex(HALF, [HnswIndex.create('cosine', DIM, params), HnswIndex.create('cosine', DIM, params)]);
for (let l = 1; l <= WINDOW; l++) gen.add(l, points[l - 1]!);
let t = cpuMs();
for (let l = WINDOW + 1; l <= total; l++) gen.add(l, points[l - 1]!);
const genAdd = cpuMs() - t;
const genHeld = Array.from({ length: total }, (_, i) => i + 1).filter((l) => gen.has(l));
const genLookup = lookups((q) => gen.search(q, K).labels, genHeld);
console.log(`two generations: add ${us(genAdd, HALF)} over a whole generation (${HALF} adds, rotation included); lookup ${us(genLookup.ms, queries.length)} (both generations searched, ${genHeld.length} points held), recall@${K} ${genLookup.recall.toFixed(3)}`);

// The ceiling: one index, plain adds; then the window as kept before, by replace-deleted adds.
const one = new hnswlib.HierarchicalNSW('cosine', DIM);
one.initIndex({ maxElements: WINDOW, m: DUPLICATE_HNSW.m, efConstruction: DUPLICATE_HNSW.efConstruction, randomSeed: 100, allowReplaceDeleted: true });
one.setEf(DUPLICATE_HNSW.efSearch);
const tail = Math.floor(WINDOW / 10);
for (let l = 1; l <= WINDOW - tail; l++) one.addPoint(points[l - 1]!, l);
t = cpuMs();
for (let l = WINDOW - tail + 1; l <= WINDOW; l++) one.addPoint(points[l - 1]!, l);
const plainAdd = cpuMs() - t;
const oneLookup = lookups((q) => one.searchKnn(q, K).neighbors, Array.from({ length: WINDOW }, (_, i) => i + 1));
console.log(`ceiling, one index of ${WINDOW}: plain add ${us(plainAdd, tail)} (its last ${tail} adds); lookup ${us(oneLookup.ms, queries.length)}, recall@${K} ${oneLookup.recall.toFixed(3)}`);
const replaced = Math.min(HALF, 20_000);
t = cpuMs();
for (let l = WINDOW + 1; l <= WINDOW + replaced; l++) {
  one.markDelete(l - WINDOW);
  one.addPoint(points[l - 1]!, l, true);
}
const replaceAdd = cpuMs() - t;
const replaceLookup = lookups((q) => one.searchKnn(q, K).neighbors, Array.from({ length: WINDOW }, (_, i) => i + 1 + replaced));
console.log(`before (one index, replace-deleted add past the window): add ${us(replaceAdd, replaced)} (${replaced} adds); lookup ${us(replaceLookup.ms, queries.length)}, recall@${K} ${replaceLookup.recall.toFixed(3)}`);
console.log(`two generations vs replace-deleted: add ${(replaceAdd / replaced / (genAdd / HALF)).toFixed(1)}× cheaper; add + one lookup ${(((genAdd / HALF + genLookup.ms / queries.length) * 1000)).toFixed(0)} vs ${(((replaceAdd / replaced + replaceLookup.ms / queries.length) * 1000)).toFixed(0)} µs; load average ${loadavg()}`);
