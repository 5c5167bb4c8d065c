/**
 * HNSW parameter study: `npm run bench -- hnsw [--points 20000] [--dim 256] [--queries 300]
 * [--ef-construction 32,48,64,100,200] [--m 16]`. Builds the index the reference set uses
 * (hnswlib-node, cosine) on clustered data shaped like the ingest benchmark's, once per
 * efConstruction × M, single-threaded, and prints each build's insertion rate beside its
 * recall@10 against exact (brute-force) neighbours at the shipped efSearch. The shipped
 * efConstruction is the cheapest whose recall@10 stays ≥ 0.95 with margin (docs/performance.md).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { DEFAULT_HNSW, HnswIndex } from '../../src/vectors/hnsw-index.js';
import { exactNeighbors, recallAt } from '../../test/support/recall.js';
import { describeHnswlibBuild } from '../../src/vectors/hnswlib-build.js';

const { values: args } = parseArgs({
  options: {
    points: { type: 'string', default: '20000' },
    dim: { type: 'string', default: '256' },
    queries: { type: 'string', default: '300' },
    'ef-construction': { type: 'string', default: '32,48,64,100,200' },
    m: { type: 'string', default: '16' },
    spread: { type: 'string', default: '0.6' },
  },
});
const N = Number(args.points);
const DIM = Number(args.dim);
const K = 10;
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

const data = new ClusteredData({ dim: DIM, clusters: 50, spread: Number(args.spread), seed: 42 });
const points = Array.from({ length: N }, (_, i) => data.point(i % 50));
const queries = Array.from({ length: Number(args.queries) }, () => data.point(data.cluster()));
console.log(`HNSW study: ${N} clustered points × ${DIM} dims (50 clusters, spread ${args.spread}), cosine, ${queries.length} queries, k=${K}, efSearch=${DEFAULT_HNSW.efSearch}; hnswlib-node ${describeHnswlibBuild()}; ${os.cpus().length} cores, load average ${loadavg()}`);
const started = performance.now();
const truth = exactNeighbors(points, queries, K, 'cosine');
console.log(`exact neighbours by brute force in ${((performance.now() - started) / 1000).toFixed(1)} s`);

console.log('| M | efConstruction | inserts per CPU second (one thread) | recall@10 | searches per CPU second | load average |');
console.log('| ---: | ---: | ---: | ---: | ---: | --- |');
for (const m of args.m.split(',').map(Number)) {
  for (const efConstruction of args['ef-construction'].split(',').map(Number)) {
    const index = HnswIndex.create('cosine', DIM, { m, efConstruction, efSearch: DEFAULT_HNSW.efSearch });
    // CPU seconds of this (single-threaded) process: steadier than wall time on a shared machine.
    const t0 = cpuSeconds();
    points.forEach((p, i) => index.add(i, p));
    const insertRate = N / (cpuSeconds() - t0);
    const t1 = cpuSeconds();
    const found = queries.map((q) => index.search(q, K).labels);
    const searchRate = queries.length / (cpuSeconds() - t1);
    const recall = recallAt(found, truth);
    console.log(`| ${m} | ${efConstruction} | ${insertRate.toFixed(0)} | ${recall.toFixed(3)} | ${searchRate.toFixed(0)} | ${loadavg()} |`);
  }
}
