/**
 * The native build against the portable one: `npm run bench -- native [--points 80000]
 * [--queries 4000] [--dim 256]`. Compiles the other build of hnswlib-node (the portable SSE
 * one when the installed addon is compiled for AVX2 + FMA, else that one when this CPU has
 * them) into a temp folder, loads both addons into this process, and alternates between them
 * in blocks: insertions into one index per build, then k=10 searches at efSearch 96 of one
 * graph read by both. Alternating blocks on one thread keeps the machine's drift out of the
 * ratio. Rates are per CPU second; the answers' agreement is printed beside them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type Hnswlib from 'hnswlib-node';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { DEFAULT_HNSW } from '../../src/vectors/hnsw-index.js';
import { buildFor, describeHnswlibBuild, hnswlibDir, installedBuild, loadHnswlib, thisCpuFlags } from '../../src/vectors/hnswlib-build.js';

const { values: args } = parseArgs({
  options: {
    points: { type: 'string', default: '80000' },
    queries: { type: 'string', default: '4000' },
    dim: { type: 'string', default: '256' },
  },
});
const N = Number(args.points);
const Q = Number(args.queries);
const DIM = Number(args.dim);
const BLOCK = 2000;
const QUERY_BLOCK = 200;
const require = createRequire(import.meta.url);
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

const installed = installedBuild();
const native = installed ?? buildFor(thisCpuFlags() ?? new Set());
if (!native) {
  console.log('this CPU lacks AVX2 or FMA: there is only the portable build to run');
  process.exit(0);
}
const gyp = process.env.npm_config_node_gyp;
if (!gyp) {
  console.error('run it as `npm run bench -- native`: it compiles with the node-gyp npm brings');
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-native-'));
try {
  const other = compile(installed ? '' : native.cxxflags);
  const here = loadHnswlib();
  const builds = installed ? { portable: other, native: here } : { portable: here, native: other };
  console.log(`hnswlib-node, portable (SSE) against ${native.cxxflags} (installed: ${describeHnswlibBuild()}): ${N} clustered points × ${DIM} dims, cosine, M ${DEFAULT_HNSW.m}, efConstruction ${DEFAULT_HNSW.efConstruction}; ${os.cpus().length} cores, load average ${loadavg()}`);
  compare(builds.portable, builds.native);
  console.log(`load average ${loadavg()}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** The other build, compiled in the temp folder with `cxxflags`. */
function compile(cxxflags: string): typeof Hnswlib {
  const pkg = path.join(tmp, 'node_modules', 'hnswlib-node');
  const source = hnswlibDir();
  fs.cpSync(source, pkg, { recursive: true, filter: (src) => path.relative(source, src).split(path.sep)[0] !== 'build' });
  fs.symlinkSync(path.dirname(require.resolve('node-addon-api/package.json')), path.join(tmp, 'node_modules', 'node-addon-api'));
  const started = performance.now();
  const built = spawnSync(process.execPath, [gyp!, 'rebuild'], { cwd: pkg, env: { ...process.env, CXXFLAGS: cxxflags }, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`compiling the other build failed:\n${built.stderr}`);
  console.log(`compiled the ${cxxflags ? cxxflags : 'portable'} build in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return require(path.join(pkg, 'build', 'Release', 'addon.node')) as typeof Hnswlib;
}

function compare(portable: typeof Hnswlib, native: typeof Hnswlib): void {
  const data = new ClusteredData({ dim: DIM, clusters: 50, spread: 0.6, seed: 42 });
  const points = Array.from({ length: N + Q }, (_, i) => data.point(i % 50));
  const indexes = [portable, native].map((lib) => {
    const index = new lib.HierarchicalNSW('cosine', DIM);
    index.initIndex({ maxElements: N, m: DEFAULT_HNSW.m, efConstruction: DEFAULT_HNSW.efConstruction, randomSeed: 100 });
    return index;
  });
  const inserting = [0, 0];
  for (let start = 0; start < N; start += BLOCK) {
    indexes.forEach((index, b) => {
      const t = cpuSeconds();
      for (let i = start; i < Math.min(N, start + BLOCK); i++) index.addPoint(points[i]!, i);
      inserting[b] += cpuSeconds() - t;
    });
  }
  report('insertions', N, inserting);

  // One graph (the portable build's) read by both, so only the distance code differs.
  const file = path.join(tmp, 'graph.hnsw');
  indexes[0]!.writeIndexSync(file);
  const readers = [portable, native].map((lib) => {
    const index = new lib.HierarchicalNSW('cosine', DIM);
    index.readIndexSync(file);
    index.setEf(DEFAULT_HNSW.efSearch);
    return index;
  });
  const searching = [0, 0];
  let same = 0;
  for (let start = N; start < N + Q; start += QUERY_BLOCK) {
    const answers = readers.map((index, b) => {
      const t = cpuSeconds();
      const found = [];
      for (let i = start; i < Math.min(N + Q, start + QUERY_BLOCK); i++) found.push(index.searchKnn(points[i]!, 10).neighbors.join());
      searching[b] += cpuSeconds() - t;
      return found;
    });
    answers[0]!.forEach((a, i) => (same += a === answers[1]![i] ? 1 : 0));
  }
  report(`searches (k=10, efSearch ${DEFAULT_HNSW.efSearch})`, Q, searching);
  console.log(`the same 10 neighbours, in order, from both builds for ${same} of ${Q} queries`);
}

function report(what: string, count: number, seconds: number[]): void {
  const [portable, native] = seconds.map((s) => count / s);
  console.log(`${what}: portable ${portable!.toFixed(0)} per CPU s, native ${native!.toFixed(0)} per CPU s: native / portable ${(native! / portable!).toFixed(2)}`);
}
