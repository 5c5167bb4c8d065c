/**
 * Ingest benchmark: `npm run bench -- ingest [--examples 100000] [--predictions 1000000] [--dim 256] [--drift-every N]
 *   [--database sqlite|postgres] [--database-url postgres://…] [--pg-port N] [--concurrency 3] [--search-replicas N] [--profile DIR]
 *   [--training-from DIR] [--rounds 4] [--encoding numbers|base64]`.
 *
 * Over HTTP on 127.0.0.1 against `npm start`'s service in its own process: a clustered
 * training set, then batches of 100 predictions. Prints predictions/s and batch latency,
 * the raw hnswlib-node searchKnn rate on one thread on the same saved index (before the run and,
 * on SQLite, again right after it, as a shared host moves it) and the ratio of
 * the two (goal ≥ 1.3: the service searches on every core), the same raw search on one thread and on
 * every core at once (each thread its own copy of the index: the machine's real ceiling), the memory of one index copy
 * (the service holds one per search thread, `--search-replicas N`, plus its own), and the
 * server's RSS after storing all predictions.
 *
 * With `--database postgres` the same run is made on SQLite and on PostgreSQL, both services up
 * at once, the measured predictions sent in `--rounds` rounds per database (default 4) that
 * alternate which database goes first; each round's ratio and the overall one (all rounds'
 * predictions over their seconds) are printed (goal ≥ 0.8×), with CPU per batch and the time the
 * service's main thread and the PostgreSQL backends waited for a CPU. PostgreSQL is the server
 * `--database-url` names (a database `driftloop_bench_ingest` is created on it), or else a
 * throwaway cluster the benchmark starts (`--pg-port`, a free port by default) and removes.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import { startServiceProcess, type ServiceProcess } from '../lib/service-process.js';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { DEFAULT_HNSW, HnswIndex } from '../../src/vectors/hnsw-index.js';
import { embeddingEncoding, embeddingField, encodingLabel, hugePageBytes, machineCosts, mb, metricValue, percentile, postJson, progressBar, putJson, searchThreadIds, threadCpuMs, threadNames } from '../lib/bench-util.js';
import { benchPostgres } from './lib/postgres.js';
import { parallelRawSearch, type ParallelSearch } from './lib/raw-search.js';
import { backendCpuWait, cpuWaitBetween, threadCpuWait, type CpuWait } from './lib/cpu-wait.js';
import pg from 'pg';
import { postKeptAlive, stopKeptAlive } from './lib/kept-alive-post.js';
import { describeHnswlibBuild } from '../../src/vectors/hnswlib-build.js';

const { values: args } = parseArgs({
  options: {
    examples: { type: 'string', default: '100000' },
    predictions: { type: 'string', default: '1000000' },
    dim: { type: 'string', default: '256' },
    concurrency: { type: 'string', default: '3' },
    // The model's drift.evaluateEvery; unset keeps the default. A large value shows ingest without drift evaluations.
    'drift-every': { type: 'string' },
    database: { type: 'string', default: 'sqlite' },
    'database-url': { type: 'string' },
    'pg-port': { type: 'string', default: '0' },
    // DRIFTLOOP_SEARCH_REPLICAS for the service; unset keeps its default (one search thread per core).
    'search-replicas': { type: 'string' },
    // A directory: the service that ingests runs with node --cpu-prof and writes its profiles (one per thread) there.
    profile: { type: 'string' },
    // A directory: the first run saves its loaded training set there, later runs start from a copy
    // of it instead of loading over HTTP (same --examples, --dim and --drift-every; SQLite only).
    'training-from': { type: 'string' },
    rounds: { type: 'string', default: '4' },
    // How the predictions' embeddings are sent: JSON numbers (`embedding`), or base64 of their float32 bytes (`embeddingBase64`).
    encoding: { type: 'string', default: 'numbers' },
  },
});
if (args.database !== 'sqlite' && args.database !== 'postgres') throw new Error('--database is sqlite or postgres');
const EXAMPLES = Number(args.examples);
const PREDICTIONS = Number(args.predictions);
const DIM = Number(args.dim);
const ENCODING = embeddingEncoding(args.encoding);
const CONCURRENCY = Number(args.concurrency);
const DRIFT_EVERY = args['drift-every'] === undefined ? undefined : Number(args['drift-every']);
const BATCH = 100;
// Measured rounds per database with --database postgres, alternating which database goes first.
const ROUNDS = Number(args.rounds);
const SEARCH_THREADS = Number(args['search-replicas'] ?? os.availableParallelism());
const CLUSTERS = 50;
const concepts = Array.from({ length: 10 }, (_, i) => `c${i}`);
const data = new ClusteredData({ dim: DIM, clusters: CLUSTERS, spread: 0.6, seed: 42 });

function predictionBatch(start: number) {
  return Array.from({ length: BATCH }, (_, j) => {
    const c = data.cluster();
    return { id: `p-${start + j}`, ...embeddingField(data.point(c), ENCODING), scores: data.scores(concepts, c % 10, 0.6 + 0.3 * Math.random()) };
  });
}

async function loadExamples(svc: ServiceProcess) {
  const settings = DRIFT_EVERY === undefined ? undefined : { drift: { evaluateEvery: DRIFT_EVERY, evaluateAfterSeconds: 1e6 } };
  const put = await putJson(`${svc.url}/v1/models/bench`, { task: 'multiclass', embeddingDim: DIM, concepts: concepts.map((id) => ({ id })), settings });
  if (put.status !== 201) throw new Error(JSON.stringify(put.body));
  const bar = progressBar('loading training examples', EXAMPLES);
  const started = Date.now();
  for (let i = 0; i < EXAMPLES; i += 1000) {
    const examples = Array.from({ length: Math.min(1000, EXAMPLES - i) }, (_, j) => {
      const c = (i + j) % CLUSTERS;
      return { id: `ex-${i + j}`, embedding: data.point(c), concepts: [concepts[c % 10]!] };
    });
    const res = await postJson(`${svc.url}/v1/models/bench/examples`, { examples });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    bar.update(i + examples.length);
  }
  bar.stop();
  return (Date.now() - started) / 1000;
}

/** Request bodies for `total` predictions from `offset` on, made and serialised before any clock starts. */
function requestBodies(offset: number, total: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let start = 0; start < total; start += BATCH) bodies.push(Buffer.from(JSON.stringify({ predictions: predictionBatch(offset + start) })));
  return bodies;
}

/** The service's main-thread garbage-collection pauses so far, by kind (prom-client's histogram): seconds and count. */
async function gcPauses(svc: ServiceProcess): Promise<Map<string, { seconds: number; count: number }>> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const pauses = new Map<string, { seconds: number; count: number }>();
  for (const m of text.matchAll(/^driftloop_nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} (\S+)$/gm)) {
    const entry = pauses.get(m[2]!) ?? { seconds: 0, count: 0 };
    if (m[1] === 'sum') entry.seconds = Number(m[3]);
    else entry.count = Number(m[3]);
    pauses.set(m[2]!, entry);
  }
  return pauses;
}

/** CPU ms per batch, by where it was spent: the service's main thread, its search threads, its other threads, and this client. */
interface CpuPerBatch {
  main: number;
  search: number;
  other: number;
  /**
   * The other threads by name (`nameThread`: dl-mmd, dl-checkpoint, …; "node" is V8's garbage
   * collection helpers and libuv's pool, which Node leaves unnamed), busiest first.
   */
  byName: [string, number][];
  client: number;
  /** Main-thread garbage-collection pauses per batch, by kind: ms and how many. */
  gc: Map<string, { ms: number; count: number }>;
}

/** What one stretch of ingest measured; stretches of the same service add up ({@link summarize}). */
interface Stretch {
  predictions: number;
  seconds: number;
  latencies: number[];
  /** CPU ms by thread of the service, and the threads' names in /proc. */
  server: Map<number, number>;
  names: Map<number, string>;
  client: number;
  gc: Map<string, { ms: number; count: number }>;
  /** The service's main thread and, on PostgreSQL, the database's backends: CPU used and time waiting for a CPU. */
  mainWait: CpuWait;
  backends?: CpuWait;
}

/**
 * Sends `total` predictions with CONCURRENCY batches in flight and measures them. Bodies are
 * serialised before timing, in chunks of at most 500 batches.
 */
async function ingest(svc: ServiceProcess, databaseUrl: string | undefined, offset: number, total: number, label: string): Promise<Stretch> {
  const url = new URL(`${svc.url}/v1/models/bench/predictions`);
  const stretch: Stretch = { predictions: total, seconds: 0, latencies: [], server: new Map(), names: new Map(), client: 0, gc: new Map(), mainWait: { cpuMs: 0, waitMs: 0 } };
  const bar = progressBar(label, total);
  for (let from = 0; from < total; from += 500 * BATCH) {
    const bodies = requestBodies(offset + from, Math.min(500 * BATCH, total - from));
    let next = 0;
    // Read outside the CPU measured: /metrics costs the main thread a few ms.
    const gcBefore = await gcPauses(svc);
    const backendsBefore = databaseUrl ? await backendCpuWait(databaseUrl) : undefined;
    const threadsBefore = threadCpuMs(svc.child.pid!);
    const waitBefore = threadCpuWait(svc.child.pid!);
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    const worker = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t0 = performance.now();
        const res = await postKeptAlive(url, body);
        stretch.latencies.push(performance.now() - t0);
        const answer = JSON.parse(res.text) as { accepted?: number };
        if (res.status !== 200 || answer.accepted !== BATCH) throw new Error(`batch failed: ${res.status} ${res.text.slice(0, 300)}`);
        bar.increment(BATCH);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    stretch.seconds += (performance.now() - started) / 1000;
    const used = process.cpuUsage(clientBefore);
    stretch.client += (used.user + used.system) / 1000;
    const main = cpuWaitBetween(waitBefore, threadCpuWait(svc.child.pid!), (tid) => tid === svc.child.pid);
    stretch.mainWait = { cpuMs: stretch.mainWait.cpuMs + main.cpuMs, waitMs: stretch.mainWait.waitMs + main.waitMs };
    for (const [tid, ms] of threadCpuMs(svc.child.pid!)) stretch.server.set(tid, (stretch.server.get(tid) ?? 0) + ms - (threadsBefore.get(tid) ?? 0));
    if (databaseUrl) {
      const b = cpuWaitBetween(backendsBefore!, await backendCpuWait(databaseUrl));
      stretch.backends = { cpuMs: (stretch.backends?.cpuMs ?? 0) + b.cpuMs, waitMs: (stretch.backends?.waitMs ?? 0) + b.waitMs };
    }
    for (const [tid, name] of threadNames(svc.child.pid!)) stretch.names.set(tid, name);
    for (const [kind, after] of await gcPauses(svc)) {
      const before = gcBefore.get(kind) ?? { seconds: 0, count: 0 };
      const sum = stretch.gc.get(kind) ?? { ms: 0, count: 0 };
      stretch.gc.set(kind, { ms: sum.ms + (after.seconds - before.seconds) * 1000, count: sum.count + after.count - before.count });
    }
  }
  bar.stop();
  return stretch;
}

/** Rate, batch latencies and CPU per batch over one or more stretches of one service. */
function summarize(stretches: Stretch[], mainPid: number) {
  const predictions = stretches.reduce((a, s) => a + s.predictions, 0);
  const seconds = stretches.reduce((a, s) => a + s.seconds, 0);
  const latencies = stretches.flatMap((s) => s.latencies);
  const server = new Map<number, number>();
  const gc = new Map<string, { ms: number; count: number }>();
  let client = 0;
  for (const s of stretches) {
    client += s.client;
    for (const [tid, ms] of s.server) server.set(tid, (server.get(tid) ?? 0) + ms);
    for (const [kind, g] of s.gc) {
      const sum = gc.get(kind) ?? { ms: 0, count: 0 };
      gc.set(kind, { ms: sum.ms + g.ms, count: sum.count + g.count });
    }
  }
  const batches = predictions / BATCH;
  const perBatch = (w: CpuWait) => ({ cpuMs: w.cpuMs / batches, waitMs: w.waitMs / batches });
  const sumWait = (pick: (s: Stretch) => CpuWait | undefined) => {
    const parts = stretches.map(pick).filter((w): w is CpuWait => w !== undefined);
    return parts.length === 0 ? undefined : perBatch({ cpuMs: parts.reduce((a, w) => a + w.cpuMs, 0), waitMs: parts.reduce((a, w) => a + w.waitMs, 0) });
  };
  // CPU per batch does not depend on what else the machine runs, unlike the rate. The search
  // threads as `searchThreadIds` finds them; the rest is grouped by name.
  const names = new Map(stretches.flatMap((s) => [...s.names]));
  const main = server.get(mainPid) ?? 0;
  const others = [...server].filter(([tid]) => tid !== mainPid).sort((a, b) => b[1] - a[1]);
  const searchIds = searchThreadIds(names, others.map(([tid]) => tid), SEARCH_THREADS);
  const search = others.filter(([tid]) => searchIds.has(tid)).reduce((a, [, ms]) => a + ms, 0);
  const groups = new Map<string, number>();
  others.forEach(([tid, ms]) => {
    if (searchIds.has(tid)) return;
    const group = (names.get(tid) ?? 'node').replace(/-\d*$/, '');
    groups.set(group, (groups.get(group) ?? 0) + ms);
  });
  const rest = [...groups.values()].reduce((a, b) => a + b, 0);
  const byName = [...groups].map(([name, ms]): [string, number] => [name, ms / batches]).sort((a, b) => b[1] - a[1]);
  const cpu: CpuPerBatch | undefined = server.size === 0 ? undefined : { main: main / batches, search: search / batches, other: rest / batches, byName, client: client / batches, gc: new Map([...gc].map(([kind, g]) => [kind, { ms: g.ms / batches, count: g.count }])) };
  return { rate: predictions / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpu, seconds, mainWait: sumWait((s) => s.mainWait), backends: sumWait((s) => s.backends) };
}

function rawSearchRate(indexFile: string, queries: number[][]) {
  const rssBefore = process.memoryUsage().rss;
  const index = HnswIndex.load(indexFile, 'cosine', DIM);
  if (!index) throw new Error(`cannot load ${indexFile}`);
  // What one more copy of the index costs: each search thread of the service holds one.
  const copyBytes = process.memoryUsage().rss - rssBefore;
  for (const q of queries.slice(0, 200)) index.search(q, 10);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const q of queries) index.search(q, 10);
  const used = process.cpuUsage(cpu);
  const cpuPerBatch = ((used.user + used.system) / 1000 / queries.length) * BATCH;
  return { rate: queries.length / ((performance.now() - started) / 1000), size: index.size, cpuPerBatch, copyBytes };
}

/** One database's service, trained and warmed up, with its ceilings measured. */
interface Side {
  label: string;
  databaseUrl: string | undefined;
  dataDir: string;
  svc: ServiceProcess;
  raw: ReturnType<typeof rawSearchRate>;
  /** The raw search again once the measured ingest has settled (SQLite alone): the ceiling at both ends of the run. */
  rawAfter?: ReturnType<typeof rawSearchRate>;
  indexFile: string;
  queries: number[][];
  /** The same search on one thread and on every core at once, each thread with its own copy. */
  parallel: ParallelSearch[];
  stretches: Stretch[];
  /** Predictions sent so far: ids go on from there. */
  sent: number;
}

/** Loads the training set, measures the raw search ceilings, starts the service and warms it up. `databaseUrl` undefined is the SQLite file. */
async function prepare(label: string, databaseUrl: string | undefined): Promise<Side> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-ingest-'));
  const env = {
    DRIFTLOOP_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...(databaseUrl ? { DRIFTLOOP_DATABASE_URL: databaseUrl } : {}),
    ...(args['search-replicas'] === undefined ? {} : { DRIFTLOOP_SEARCH_REPLICAS: args['search-replicas'] }),
  };
  console.log(`\n== ${label} ==`);
  const saved = databaseUrl ? undefined : args['training-from'];
  if (saved && fs.existsSync(path.join(saved, 'driftloop.sqlite'))) {
    fs.cpSync(saved, dataDir, { recursive: true });
    console.log(`training set copied from ${saved}`);
  } else {
    const svc = await startServiceProcess(env);
    const loadSeconds = await loadExamples(svc);
    console.log(`training set loaded over HTTP in ${loadSeconds.toFixed(1)} s (${(EXAMPLES / loadSeconds).toFixed(0)} examples/s, HNSW M=${DEFAULT_HNSW.m} efConstruction=${DEFAULT_HNSW.efConstruction})`);
    // SIGTERM saves the index: the raw search runs on exactly the index the service uses.
    svc.child.kill('SIGTERM');
    await svc.exited;
    if (saved) fs.cpSync(dataDir, saved, { recursive: true });
  }
  const queries = Array.from({ length: 10_000 }, () => data.point(data.cluster()));
  const indexFile = path.join(dataDir, 'indexes', 'model-1', 'train.hnsw');
  const raw = rawSearchRate(indexFile, queries);
  const parallel: ParallelSearch[] = [];
  for (const threads of new Set([1, os.availableParallelism()])) parallel.push(await parallelRawSearch(indexFile, 'cosine', DIM, 10, queries, threads, BATCH));
  const svc = await startServiceProcess(env, { nodeArgs: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`] : [] });
  const warm = Math.min(5_000, PREDICTIONS);
  await ingest(svc, databaseUrl, 0, warm, `${label}: warm-up`);
  const side: Side = { label, databaseUrl, dataDir, svc, raw, indexFile, queries, parallel, stretches: [], sent: warm };
  await settle(side);
  return side;
}

async function measureRound(side: Side, predictions: number, round: string): Promise<Stretch> {
  const stretch = await ingest(side.svc, side.databaseUrl, side.sent, predictions, `${side.label}: ${round}`);
  side.sent += predictions;
  side.stretches.push(stretch);
  return stretch;
}

/**
 * Waits until a service (and its database's backends) use less than 10% of a core over 250 ms,
 * at most 10 s: work a round leaves behind (drift evaluations, checkpoints, autovacuum) would
 * otherwise run during the other database's round. Returns the seconds waited.
 */
async function settle(side: Side): Promise<number> {
  const started = performance.now();
  const used = async () => [...threadCpuMs(side.svc.child.pid!).values()].reduce((a, b) => a + b, 0) + (side.databaseUrl ? [...(await backendCpuWait(side.databaseUrl)).values()].reduce((a, w) => a + w.cpuMs, 0) : 0);
  let before = await used();
  while (performance.now() - started < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await used();
    if (now - before < 25) break;
    before = now;
  }
  return (performance.now() - started) / 1000;
}

function report(side: Side) {
  const { raw, parallel, svc } = side;
  const http = summarize(side.stretches, svc.child.pid!);
  const cores = os.availableParallelism();
  console.log(`\n== ${side.label}: ${side.stretches.length} round${side.stretches.length === 1 ? '' : 's'} together ==`);
  console.log(`HTTP ingest: ${http.rate.toFixed(0)} predictions/s; batch latency p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms (load average ${loadavg()})`);
  console.log(`raw hnswlib-node searchKnn (k=10, ef=${DEFAULT_HNSW.efSearch}) on the same ${raw.size}-point index: ${raw.rate.toFixed(0)} searches/s (CPU ${raw.cpuPerBatch.toFixed(1)} ms per ${BATCH})`);
  const after = side.rawAfter;
  if (after) {
    const moved = (after.rate / raw.rate - 1) * 100;
    console.log(
      `the same raw search right after the measured ingest: ${after.rate.toFixed(0)} searches/s (CPU ${after.cpuPerBatch.toFixed(1)} ms per ${BATCH}); the ceiling moved ${moved >= 0 ? '+' : ''}${moved.toFixed(0)}% ` +
        `during the run${Math.abs(moved) > 10 ? ' (more than 10%: the host\'s load changed, so the ratio below is unreliable)' : ''}`,
    );
  }
  const single = parallel[0]!;
  for (const p of parallel) {
    console.log(
      `raw searchKnn on ${p.threads} thread${p.threads === 1 ? '' : 's'} at once (each its own copy, nothing else in the benchmark running): ${p.rate.toFixed(0)} searches/s ` +
        `(${(p.rate / single.rate).toFixed(2)}× one thread, ${(p.rate / raw.rate).toFixed(2)}× the one-thread figure above); per thread ` +
        p.perThread.map((t) => `${t.rate.toFixed(0)}/s, CPU ${t.cpuPer.toFixed(1)} ms per ${BATCH}`).join('; '),
    );
  }
  if (http.cpu) {
    const { main, search, other, byName, client } = http.cpu;
    const available = (BATCH / http.rate) * 1000 * cores;
    const backend = http.backends ? `; PostgreSQL backends ${http.backends.cpuMs.toFixed(1)} ms` : '';
    console.log(
      `CPU per batch of ${BATCH}: server ${(main + search + other).toFixed(1)} ms = main thread ${main.toFixed(1)} + ${SEARCH_THREADS} search thread${SEARCH_THREADS === 1 ? '' : 's'} ${search.toFixed(1)} ` +
        `(raw search ${raw.cpuPerBatch.toFixed(1)}) + other threads ${other.toFixed(1)} (${byName.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(', ')}); benchmark client ${client.toFixed(1)} ms${backend}; ` +
        `all ${(main + search + other + client + (http.backends?.cpuMs ?? 0)).toFixed(1)} ms of the ${available.toFixed(1)} ms the ${cores} cores had per batch`,
    );
    const pauses = [...http.cpu.gc].filter(([, g]) => g.count > 0).map(([kind, g]) => `${kind} ${g.ms.toFixed(2)} ms (${g.count} in all)`);
    console.log(`main-thread garbage-collection pauses per batch (wall clock: inflated when the machine is loaded): ${pauses.join(', ') || 'none'}`);
    const waits = [`main thread ${http.mainWait!.waitMs.toFixed(1)} ms`, ...(http.backends ? [`PostgreSQL backends ${http.backends.waitMs.toFixed(1)} ms`] : [])];
    console.log(`time runnable but waiting for a CPU per batch (the machine's load, /proc schedstat): ${waits.join(', ')}`);
  }
  // Against the faster of the two ceilings when there are two: the ratio the run can claim for certain.
  const top = Math.max(raw.rate, after?.rate ?? 0);
  const ratio = http.rate / top;
  const ceiling = parallel.at(-1)!;
  const both = after ? ` against the faster of the ceilings before and after (${(http.rate / raw.rate).toFixed(2)} / ${(http.rate / after.rate).toFixed(2)} against each)` : '';
  console.log(
    `ratio HTTP ingest / raw single-thread search: ${ratio.toFixed(2)}${both} (goal ≥ 1.3: ${ratio >= 1.3 ? 'met' : 'NOT met'}); ` +
      `HTTP ingest / raw search on all ${ceiling.threads} cores: ${(http.rate / ceiling.rate).toFixed(2)} (load average ${loadavg()})`,
  );
  const threads = SEARCH_THREADS;
  const huge = hugePageBytes(svc.child.pid!);
  console.log(
    `memory: one copy of the train index ${mb(raw.copyBytes)} (RSS growth on loading it); the service holds ${threads + 1} ` +
      `(main thread + ${threads} search thread${threads === 1 ? '' : 's'}), about ${mb(raw.copyBytes * (threads + 1))}; ` +
      `the service's memory in transparent huge pages ${huge === undefined ? 'unknown' : mb(huge)} (the raw searches above: GLIBC_TUNABLES ${process.env.GLIBC_TUNABLES ?? 'unset'} in this process)`,
  );
  return http;
}

/** Stores the rest of the predictions, prints memory and size, stops the service. */
async function finish(side: Side) {
  const { svc, databaseUrl, dataDir } = side;
  const rest = PREDICTIONS - side.sent;
  if (rest > 0) await ingest(svc, databaseUrl, side.sent, rest, `${side.label}: storing up to total`);
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  const rss = metricValue(metrics, 'driftloop_process_resident_memory_bytes') ?? NaN;
  const heap = metricValue(metrics, 'driftloop_nodejs_heap_size_used_bytes') ?? NaN;
  const model = (await (await fetch(`${svc.url}/v1/models/bench`)).json()) as { counts: { predictions: number } };
  const size = databaseUrl ? await postgresSize(databaseUrl) : fs.statSync(path.join(dataDir, 'driftloop.sqlite')).size;
  console.log(`${side.label}: after storing ${model.counts.predictions} predictions: server RSS ${mb(rss)} (goal < 2 GB), JS heap used ${mb(heap)}, database ${mb(size)}`);
  svc.child.kill('SIGTERM');
  await svc.exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
}

async function postgresSize(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>('select pg_database_size(current_database()) as n')).rows[0]!.n);
  } finally {
    await client.end();
  }
}

const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(
  `driftloop ingest benchmark: ${EXAMPLES} examples × ${DIM} dims (${CLUSTERS} clusters), batches of ${BATCH} (embeddings as ${encodingLabel(ENCODING)}), ${CONCURRENCY} in flight, ` +
    `drift evaluated every ${DRIFT_EVERY ?? 'default (100)'} predictions, ${os.cpus().length} cores, node ${process.version}, hnswlib-node ${describeHnswlibBuild()}, load average ${loadavg()}`,
);
console.log(`machine: ${machineCosts()}`);
const warm = Math.min(5_000, PREDICTIONS);
const measured = Math.min(50_000, PREDICTIONS - warm);
const sqlite = await prepare('SQLite (embedded default)', undefined);
if (args.database !== 'postgres') {
  await measureRound(sqlite, measured, 'measured ingest');
  // The ceiling again, right after the run (the service idle): on a VM whose host is shared it
  // moves from minute to minute, and a ratio to a ceiling measured at one end alone can be off by a third.
  await settle(sqlite);
  sqlite.rawAfter = rawSearchRate(sqlite.indexFile, sqlite.queries);
  report(sqlite);
  await finish(sqlite);
} else {
  const server = await benchPostgres(args['database-url'], Number(args['pg-port']));
  try {
    console.log(`PostgreSQL: ${server.describe}`);
    const postgres = await prepare('PostgreSQL', await server.createDatabase('driftloop_bench_ingest'));
    // Both services stay up and the measured predictions go in ROUNDS rounds per database,
    // alternating which goes first (S P, P S, …): load that comes and goes on a shared machine
    // then falls on both halves alike, where one half after the other measured two machines.
    // After its round each service settles (below) so that what it left running does not fall on the next.
    const perRound = Math.floor(measured / ROUNDS / BATCH) * BATCH;
    console.log(`\n== ${ROUNDS} rounds of ${perRound} predictions per database, alternating which goes first ==`);
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? [sqlite, postgres] : [postgres, sqlite];
      const rates = new Map<Side, number>();
      const settled: string[] = [];
      for (const side of order) {
        const s = await measureRound(side, perRound, `round ${r + 1}`);
        rates.set(side, s.predictions / s.seconds);
        settled.push(`${side === sqlite ? 'SQLite' : 'PostgreSQL'} settled in ${(await settle(side)).toFixed(1)} s`);
      }
      const ratio = rates.get(postgres)! / rates.get(sqlite)!;
      ratios.push(ratio);
      console.log(
        `round ${r + 1} (${order[0] === sqlite ? 'SQLite first' : 'PostgreSQL first'}): SQLite ${rates.get(sqlite)!.toFixed(0)}/s, ` +
          `PostgreSQL ${rates.get(postgres)!.toFixed(0)}/s, ratio ${ratio.toFixed(2)}; ${settled.join(', ')} (load average ${loadavg()})`,
      );
    }
    const s = report(sqlite);
    const p = report(postgres);
    console.log('\n== side by side (same run) ==');
    const row = (name: string, side: Side, r: ReturnType<typeof summarize>) =>
      `${name.padEnd(11)} ${r.rate.toFixed(0).padStart(6)} predictions/s  batch p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  ratio to raw search ${(r.rate / side.raw.rate).toFixed(2)}`;
    console.log(row('SQLite', sqlite, s));
    console.log(row('PostgreSQL', postgres, p));
    const ratio = p.rate / s.rate;
    const held = ratios.filter((x) => x >= 0.8).length;
    console.log(
      `PostgreSQL / SQLite ingest rate: ${ratio.toFixed(2)} over all rounds (goal ≥ 0.8: ${ratio >= 0.8 ? 'met' : 'NOT met'}); by round ${ratios.map((x) => x.toFixed(2)).join(' / ')} ` +
        `(≥ 0.8 in ${held} of ${ratios.length}); load average ${loadavg()}`,
    );
    await finish(sqlite);
    await finish(postgres);
  } finally {
    server.stop();
  }
}
stopKeptAlive();
