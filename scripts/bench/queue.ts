/**
 * Claim latency on a huge queue while ingestion runs at full rate, in the same run:
 *
 *   npm run bench -- queue [--items 1000000] [--seconds 30] [--warmup 3] [--claim-rate 50] [--ingesters 2] [--batch 20] [--label] [--labelers N] [--limit K] [--drift] [--data-dir DIR] [--selection POLICY] [--trace] [--client-niceness N] [--spinners N] [--spinner-niceness K]
 *
 * Seeds `items` pending items straight into the SQLite file (prepared statements), starts the
 * service as `npm start` does in its own process (it catches its near-duplicate index up from
 * the database), then, over HTTP at the same time, labelers claim one item at a time at
 * `claim-rate` claims per second (open loop, Poisson arrivals, latency counted from the planned
 * send time; each claim a new labeler, or with --label the claimer then labels the item; sent and
 * answered on a thread of their own, `lib/claimer.ts`) while ingesters send prediction batches
 * back to back, as fast as the service takes them. Leases
 * last 10 s, so expired ones return during the run.
 * Drift evaluation (which runs on the same event loop after every `drift.evaluateEvery`
 * predictions) is deferred past the run unless --drift is given, so the figures show the queue
 * and ingestion; --drift shows the whole service with its defaults.
 * With --labelers N the claims cycle over N labelers instead, each asking for `limit` items
 * (--limit, 1 by default) and keeping what it holds: a claim then renews (and locks) the leases
 * its labeler holds and tops them up to `limit`, which is what a labeler claiming again costs.
 * With --data-dir the folder is kept and seeded only once. Prints figures; asserts nothing.
 *
 * `--database postgres` runs the same load on PostgreSQL: the items are seeded into a database
 * `driftloop_bench_queue` (created anew) on the server `--database-url` names, or on a
 * throwaway cluster the benchmark starts (`--pg-port`, a free port by default) and removes.
 * Prints the CPU and the wait for a CPU of the service's threads and the backends; `--trace`
 * also splits each claim into its stages inside the service (`lib/claim-trace.ts`).
 *
 * `--spinners N` runs N processes that only spin on the CPU (at nice `--spinner-niceness`) through
 * the warm-up and the run. With `--ingesters 0` that is the floor of the claim tail if ingestion
 * ran somewhere else on the same cores (another thread or process at that priority): claims then
 * share the CPUs but not the event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/db/schema.js';
import { claimCandidatesQuery } from '../../src/queue/queue.repository.js';
import { startServiceProcess, type ServiceProcess } from '../lib/service-process.js';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { machineCosts, metricValue, minorFaults, percentile, postJson, progressBar, putJson, searchThreadIds, threadNames } from '../lib/bench-util.js';
import { lowerThreadPriority } from '../../src/util/thread-priority.js';
import { seedPendingItems, seedPendingItemsPostgres } from './lib/queue-seed.js';
import { benchPostgres } from './lib/postgres.js';
import { claimBreakdown, type ClientTimes } from './lib/claim-breakdown.js';
import { poissonOffsets, startClaimer } from './lib/claimer.js';
import { backendCpuWait, cpuWaitBetween, threadCpuWait, type CpuWait } from './lib/cpu-wait.js';
import { pathToFileURL } from 'node:url';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '30' },
    // Seconds of load before the measured run. The service's first ~20 s of load also touch its young
    // generation's fresh pages (two 64 MB semi-spaces): a longer warm-up measures past them.
    warmup: { type: 'string', default: '3' },
    'claim-rate': { type: 'string', default: '50' },
    ingesters: { type: 'string', default: '2' },
    batch: { type: 'string', default: '20' },
    dim: { type: 'string', default: '32' },
    label: { type: 'boolean', default: false },
    // Claims cycle over this many labelers (0: each claim a new labeler), each asking for --limit items.
    labelers: { type: 'string', default: '0' },
    limit: { type: 'string', default: '1' },
    drift: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    database: { type: 'string', default: 'sqlite' },
    'database-url': { type: 'string' },
    'pg-port': { type: 'string', default: '0' },
    selection: { type: 'string' },
    // Trace each measured claim inside the service (scripts/bench/lib/claim-trace.ts) and print where the slowest spent their time.
    trace: { type: 'boolean', default: false },
    // Lowers the CPU priority of this process's main thread (the ingesters' HTTP client) to this nice value once
    // the claimer's thread runs: it stands in for apps on other machines, so it should not take the service's core.
    'client-niceness': { type: 'string', default: '0' },
    // Processes that only burn CPU beside the service during the warm-up and the run, at this nice value.
    spinners: { type: 'string', default: '0' },
    'spinner-niceness': { type: 'string', default: '0' },
  },
});
if (args.database !== 'sqlite' && args.database !== 'postgres') throw new Error('--database is sqlite or postgres');
const onPostgres = args.database === 'postgres';
const server = onPostgres ? await benchPostgres(args['database-url'], Number(args['pg-port'])) : undefined;
const databaseUrl = server ? await server.createDatabase('driftloop_bench_queue') : undefined;
const ITEMS = Number(args.items);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const BATCH = Number(args.batch);
const DIM = Number(args.dim);
const CONCEPTS = ['lager', 'stout', 'ipa', 'pilsner', 'porter'];
const data = new ClusteredData({ dim: DIM, clusters: CONCEPTS.length, spread: 0.3, seed: 42 });
const keep = args['data-dir'] !== undefined;
const dataDir = path.resolve(args['data-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-queue-')));
const env = { DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...(databaseUrl ? { DRIFTLOOP_DATABASE_URL: databaseUrl } : {}) };
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

/** Processes that only spin on the CPU at nice `niceness`: CPU-bound work beside the service that is not on its event loop. */
function startSpinners(count: number, niceness: number): ChildProcess[] {
  return Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    os.setPriority(child.pid!, niceness);
    return child;
  });
}

async function stop(service: ServiceProcess): Promise<void> {
  service.child.kill('SIGTERM');
  const { code } = await service.exited;
  if (code !== 0) throw new Error(`service exited with ${code}:\n${service.logs.slice(-20).join('\n')}`);
}

function seeded(): boolean {
  if (databaseUrl) return false;
  const file = path.join(dataDir, 'driftloop.sqlite');
  if (!fs.existsSync(file)) return false;
  const db = new SQLite(file, { readonly: true });
  try {
    return db.prepare("select 1 from models where name = 'bench'").get() !== undefined;
  } finally {
    db.close();
  }
}

/** The model and its training examples through the API, then the pending items straight into SQLite. */
async function seed(): Promise<void> {
  const service = await startServiceProcess(env);
  const model = { task: 'multiclass', embeddingDim: DIM, concepts: CONCEPTS.map((id) => ({ id })), settings: { queue: { leaseSeconds: 10, ...(args.selection ? { selection: args.selection } : {}) } } };
  if ((await putJson(`${service.url}/v1/models/bench`, model)).status !== 201) throw new Error('could not create the model');
  const examples = Array.from({ length: 5000 }, (_, i) => ({ id: `ex-${i}`, embedding: data.point(i % CONCEPTS.length), concepts: [CONCEPTS[i % CONCEPTS.length]] }));
  if ((await postJson(`${service.url}/v1/models/bench/examples`, { examples })).status !== 200) throw new Error('could not add examples');
  await stop(service);
  if (databaseUrl) return seedPostgres(databaseUrl);

  const db = new SQLite(path.join(dataDir, 'driftloop.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const bar = progressBar('seeding pending items', ITEMS);
  const t = performance.now();
  seedPendingItems(db, { modelName: 'bench', count: ITEMS, data, concepts: CONCEPTS, onProgress: (done) => bar.update(done) });
  bar.stop();
  console.log(`seeded ${ITEMS.toLocaleString()} scored predictions and pending items in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  db.close();
}

async function seedPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const bar = progressBar('seeding pending items', ITEMS);
    const t = performance.now();
    await seedPendingItemsPostgres(client, { modelName: 'bench', count: ITEMS, data, concepts: CONCEPTS, onProgress: (done) => bar.update(done) });
    bar.stop();
    console.log(`seeded ${ITEMS.toLocaleString()} scored predictions and pending items in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } finally {
    await client.end();
  }
}

async function printPostgresPlan(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    const model = await db.selectFrom('models').select('id').where('name', '=', 'bench').executeTakeFirstOrThrow();
    const query = claimCandidatesQuery(db, Number(model.id), 'labeler-0', 1).compile();
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`explain ${query.sql}`, query.parameters as unknown[]);
    console.log(`claim query plan:\n${rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
  } finally {
    await db.destroy();
  }
}

async function printPlan(): Promise<void> {
  if (databaseUrl) return printPostgresPlan(databaseUrl);
  const sqlite = new SQLite(path.join(dataDir, 'driftloop.sqlite'), { readonly: true });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const model = await db.selectFrom('models').select('id').where('name', '=', 'bench').executeTakeFirstOrThrow();
  const query = claimCandidatesQuery(db, model.id, 'labeler-0', 1).compile();
  const rows = sqlite.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[];
  console.log(`claim query plan:\n${rows.map((r) => `  ${r.detail}`).join('\n')}`);
  await db.destroy();
}

interface Load {
  claimMs: number[];
  labelMs: number[];
  ingestMs: number[];
  /** Each measured claim's planned, sent and answered times (epoch ms), by its x-bench-claim number. */
  claimTimes: Map<string, ClientTimes>;
  ingested: number;
  queued: number;
  empty: number;
  errors: string[];
}

async function runLoad(url: string): Promise<Load> {
  // Ids unique to this run: a reused folder already holds the last run's predictions.
  const run = Date.now().toString(36);
  // Bodies are built before the clock starts, so the load generator's own work stays out of the figures.
  let next = 0;
  const body = (n: number) =>
    JSON.stringify({
      predictions: Array.from({ length: BATCH }, () => {
        const c = data.cluster();
        // A quarter far from the training data, a third of the rest unsure: about half are queue candidates.
        const k = next++;
        const far = k % 4 === 0;
        return { id: `live-${run}-${n}-${k}`, embedding: far ? data.outlier(3) : data.point(c), scores: data.scores(CONCEPTS, c, k % 3 === 0 ? 0.4 : 0.9) };
      }),
    });
  const ingesters = Number(args.ingesters);
  const prepared = Array.from({ length: ingesters }, (_, n) => Array.from({ length: Math.ceil((4000 * (WARMUP + SECONDS)) / BATCH / Math.max(1, ingesters)) }, () => body(n)));
  const load: Load = { claimMs: [], labelMs: [], ingestMs: [], claimTimes: new Map(), ingested: 0, queued: 0, empty: 0, errors: [] };
  // A ranking policy ranks the pool once per model state (champion, settings; src/queue/selection):
  // the model's first claim pays for it, and is timed apart from the steady load.
  const first = performance.now();
  const firstClaim = await postJson(`${url}/v1/models/bench/queue/claim`, { labeler: 'first-claim', limit: 1 });
  if (firstClaim.status !== 200) throw new Error(`first claim: ${firstClaim.status}`);
  console.log(`first claim (builds the ranking unless the policy is priority): ${(performance.now() - first).toFixed(0)} ms`);
  // Open loop: claims arrive on their own schedule, as labelers do, whether or not earlier ones
  // finished; from a thread of their own, so that the ingesters' work here does not delay them.
  const claimer = await startClaimer({
    url,
    warmupMs: WARMUP * 1000,
    offsets: poissonOffsets(Number(args['claim-rate']), WARMUP + SECONDS, 7),
    labelers: Number(args.labelers),
    limit: Number(args.limit),
    label: args.label,
    concepts: CONCEPTS,
  });
  if (lowerThreadPriority(Number(args['client-niceness']))) console.log(`ingesters' thread (this process's main thread) at nice ${args['client-niceness']}; the claimer's thread and the service keep theirs`);
  const started = performance.now();
  const measuring = () => performance.now() - started >= WARMUP * 1000;
  const running = () => performance.now() - started < (WARMUP + SECONDS) * 1000;
  const claimed = claimer.run(performance.timeOrigin + started);
  const ingester = async (n: number) => {
    for (let i = 0; running(); i++) {
      const t = performance.now();
      try {
        const res = await fetch(`${url}/v1/models/bench/predictions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: prepared[n]![i] ?? body(n) });
        const result = (await res.json()) as { accepted: number; results: { queued: boolean }[] };
        if (res.status !== 200) throw new Error(`predictions: ${res.status} ${JSON.stringify(result).slice(0, 200)}`);
        if (measuring()) {
          load.ingestMs.push(performance.now() - t);
          load.ingested += result.accepted;
          load.queued += result.results.filter((r) => r.queued).length;
        }
      } catch (err) {
        load.errors.push(String(err));
      }
    }
  };
  const [claims] = await Promise.all([claimed, ...Array.from({ length: Number(args.ingesters) }, (_, i) => ingester(i))]);
  return { ...load, claimMs: claims.claimMs, labelMs: claims.labelMs, claimTimes: new Map(claims.claimTimes.map(({ claim, ...t }) => [claim, t])), empty: claims.empty, errors: [...claims.errors, ...load.errors] };
}

interface CpuReading {
  threads: Map<number, CpuWait>;
  /** Minor page faults of the service's main thread so far (undefined when /proc cannot tell). */
  mainFaults: number | undefined;
  backends: Map<number, CpuWait> | undefined;
  at: number;
}

/**
 * CPU used and time runnable but waiting for a CPU (/proc schedstat), in ms per second of the
 * run: the service's main thread, its search threads and the
 * PostgreSQL backends of the benchmark's database. A wait is what the machine's load adds.
 */
function cpuShares(before: CpuReading, after: CpuReading, mainPid: number): string {
  const seconds = (after.at - before.at) / 1000;
  const f = (w: CpuWait) => `CPU ${(w.cpuMs / seconds).toFixed(0)}, waited ${(w.waitMs / seconds).toFixed(0)}`;
  const main = cpuWaitBetween(before.threads, after.threads, (tid) => tid === mainPid);
  const others = [...after.threads.keys()].filter((tid) => tid !== mainPid);
  const used = (tid: number) => cpuWaitBetween(before.threads, after.threads, (id) => id === tid).cpuMs;
  const names = threadNames(mainPid);
  const searchThreads = searchThreadIds(names, others.sort((a, b) => used(b) - used(a)), 2);
  const search = cpuWaitBetween(before.threads, after.threads, (tid) => searchThreads.has(tid));
  const parts = [`main thread ${f(main)}`, `${searchThreads.size} search threads ${f(search)}`];
  if (before.backends && after.backends) parts.push(`PostgreSQL backends ${f(cpuWaitBetween(before.backends, after.backends))}`);
  return `CPU and wait for a CPU during the measured run, ms per second: ${parts.join('; ')} (load average ${loadavg()})`;
}

/**
 * The service's main thread per claim answered in the measured run: its CPU and its minor page
 * faults (first touches of memory; on a VM each is dear). With ingesters the main thread also
 * works for them, so the figures are per claim only with `--ingesters 0`.
 */
function mainThreadPerClaim(before: CpuReading, after: CpuReading, mainPid: number, claims: number): string {
  const seconds = (after.at - before.at) / 1000;
  const cpu = cpuWaitBetween(before.threads, after.threads, (tid) => tid === mainPid).cpuMs;
  const faults = before.mainFaults !== undefined && after.mainFaults !== undefined ? after.mainFaults - before.mainFaults : NaN;
  return (
    `main thread per claim answered${Number(args.ingesters) > 0 ? ' (with the ingesters\' work in it)' : ''}: ${(cpu / claims).toFixed(2)} ms of CPU, ` +
    `${(faults / claims).toFixed(1)} minor page faults (${(faults / seconds).toFixed(0)} a second)`
  );
}

function line(name: string, ms: number[]): string {
  const f = (x: number) => x.toFixed(2).padStart(8);
  return `${name.padEnd(20)} n=${String(ms.length).padStart(6)}  p50 ${f(percentile(ms, 50))} ms  p90 ${f(percentile(ms, 90))} ms  p99 ${f(percentile(ms, 99))} ms  max ${f(Math.max(...ms))} ms`;
}

console.log(`machine: ${os.cpus().length} cores, load average ${loadavg()}, ${machineCosts()}; data in ${databaseUrl ? `PostgreSQL, ${server!.describe}` : dataDir}`);
let service: ServiceProcess | undefined;
let spinners: ChildProcess[] = [];
try {
  if (!seeded()) await seed();
  else console.log('reusing the seeded data folder');
  await printPlan();
  let t = performance.now();
  const traceFile = path.join(os.tmpdir(), `driftloop-claim-trace-${process.pid}.jsonl`);
  fs.rmSync(traceFile, { force: true });
  // The service's threads inherit these flags, and tsx's loader does not reach a thread's own
  // --import: a plain-JS prelude loads the tracer on the main thread only. (Loading claim-trace.ts
  // straight from --import killed every search thread at start, so the traced service scored
  // every batch on its main thread.)
  const traceUrl = pathToFileURL(path.join(import.meta.dirname, 'lib', 'claim-trace.ts')).href;
  const tracePrelude = `import { isMainThread } from 'node:worker_threads'; if (isMainThread) await import(${JSON.stringify(traceUrl)});`;
  const tracer = ['--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(tracePrelude)}`];
  service = await startServiceProcess(args.trace ? { ...env, DRIFTLOOP_BENCH_TRACE: traceFile } : env, { nodeArgs: args.trace ? tracer : [] });
  const drift = args.drift ? { evaluateEvery: 100, evaluateAfterSeconds: 10 } : { evaluateEvery: 1_000_000_000, evaluateAfterSeconds: 86_400 };
  const definition = { task: 'multiclass', embeddingDim: DIM, concepts: CONCEPTS.map((id) => ({ id })), settings: { drift } };
  if ((await putJson(`${service.url}/v1/models/bench`, definition)).status !== 200) throw new Error('could not set the drift settings');
  console.log(`service listening after ${((performance.now() - t) / 1000).toFixed(1)} s (near-duplicate index loaded or caught up)`);
  const before = (await (await fetch(`${service.url}/v1/models/bench/queue`)).json()) as { pending: number };
  console.log(
    `load: ${args['claim-rate']} claims/s (${Number(args.labelers) > 0 ? `over ${args.labelers} labelers keeping their leases, ` : 'each from a new labeler, '}limit ${args.limit}${args.label ? ', each then labeled' : ''}) and ${args.ingesters} ingesters ` +
      `(batches of ${BATCH}, back to back) over ${before.pending.toLocaleString()} pending items, ${SECONDS} s after a ${WARMUP} s warm-up; ` +
      `drift evaluation ${args.drift ? `every ${drift.evaluateEvery} predictions` : 'deferred'}`,
  );
  t = performance.now();
  // The service's event-loop delay (prom-client's monitorEventLoopDelay, 10 ms resolution) resets
  // at each scrape: one scrape when the warm-up ends, one after the run.
  const metricsText = async () => (await fetch(`${service!.url}/metrics`)).text();
  const cpuNow = async () => ({ threads: threadCpuWait(service!.child.pid!), mainFaults: minorFaults(service!.child.pid!), backends: databaseUrl ? await backendCpuWait(databaseUrl) : undefined, at: performance.now() });
  const lagReset = new Promise((resolve) => setTimeout(resolve, WARMUP * 1000)).then(async () => ({ text: await metricsText(), cpu: await cpuNow() }));
  spinners = startSpinners(Number(args.spinners), Number(args['spinner-niceness']));
  const spun = spinners.map((c) => threadCpuWait(c.pid!));
  const r = await runLoad(service.url);
  if (spinners.length > 0) {
    const cpuMs = spinners.reduce((sum, c, i) => sum + cpuWaitBetween(spun[i]!, threadCpuWait(c.pid!), () => true).cpuMs, 0);
    console.log(`${spinners.length} spinning processes at nice ${args['spinner-niceness']} beside the service: ${(cpuMs / (WARMUP + SECONDS)).toFixed(0)} ms of CPU per second between them (warm-up and run)`);
  }
  for (const c of spinners) c.kill('SIGKILL');
  const cpuBefore = (await lagReset).cpu;
  const cpuAfter = await cpuNow();
  const lag = await metricsText();
  const lagMs = (q: string) => (metricValue(lag, `driftloop_nodejs_eventloop_lag_${q}_seconds`) ?? NaN) * 1000;
  const after = (await (await fetch(`${service.url}/v1/models/bench/queue`)).json()) as { pending: number; leased: number; labeled: number };
  console.log('');
  console.log(line('claim', r.claimMs));
  if (args.label) console.log(line('label', r.labelMs));
  console.log(line(`ingest (batch ${BATCH})`, r.ingestMs));
  console.log(`ingestion ${Math.round(r.ingested / SECONDS).toLocaleString()} predictions/s (${r.queued.toLocaleString()} opened items); ${Math.round(r.claimMs.length / SECONDS)} claims/s; ${r.empty} empty claims`);
  console.log(`queue after: ${after.pending.toLocaleString()} pending, ${after.leased} leased, ${after.labeled} labeled; load average ${loadavg()}`);
  console.log(
    `service event-loop delay during the run (each figure includes the 10 ms sampling interval): ` +
      `p50 ${lagMs('p50').toFixed(1)} ms, p90 ${lagMs('p90').toFixed(1)} ms, p99 ${lagMs('p99').toFixed(1)} ms, max ${lagMs('max').toFixed(1)} ms`,
  );
  console.log(cpuShares(cpuBefore, cpuAfter, service.child.pid!));
  console.log(mainThreadPerClaim(cpuBefore, cpuAfter, service.child.pid!, r.claimMs.length));
  if (args.trace) for (const l of claimBreakdown(traceFile, r.claimTimes)) console.log(l);
  const p99 = percentile(r.claimMs, 99);
  // Issue 14 asks < 10 ms of the embedded default at 1M pending; issue 10 asks < 20 ms of PostgreSQL.
  const goalMs = onPostgres ? 20 : 10;
  console.log(`goal claim p99 < ${goalMs} ms: ${p99 < goalMs ? 'met' : 'NOT met'} (${p99.toFixed(2)} ms; load average ${loadavg()})`);
  if (r.errors.length > 0) throw new Error(`${r.errors.length} requests failed; first: ${r.errors[0]}`);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const c of spinners) c.kill('SIGKILL');
  if (service) await stop(service).catch((err: unknown) => console.error(err));
  if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
  server?.stop();
}
