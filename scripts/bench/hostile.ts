/**
 * Hostile input: `npm run bench -- hostile [--stages 25000,50000,100000] [--concurrency 16] [--kinds model,key,region,priority-region,labeler,path,sign-in,item] [--port 0]
 * [--database postgres [--database-url URL]]`.
 *
 * Starts `npm start`'s service in its own process (SQLite, with a bootstrap admin key, a label
 * key made with the CLI, a model whose queue ranks by `typical` and one whose queue goes by
 * priority), then sends requests whose names, ids and parameters are all distinct, round robin
 * over eight kinds: unknown model names, unknown keys, claims naming new region numbers on each
 * model (on PostgreSQL a claim by priority is one call, with a lease text kept per model and
 * region), claims as labelers the key is not, unknown paths with new query parameters, sign-in
 * attempts with unknown keys, and renewals of unknown items. At the start and after each stage it runs a full GC in the service (SIGUSR2, see
 * lib/gc-on-signal.mjs) and prints the service's RSS and V8 heap in use before and after the GC,
 * so growth per request is visible: the heap retained after a GC per request since the last
 * stage, beside the ceiling of 16 bytes (1.6 MB per 100k). It also prints `driftloop_held_entries` against
 * its caps and the answers by kind and status.
 *
 * `--database postgres` runs the same loads against a service on PostgreSQL: a database
 * `driftloop_bench_hostile` (created anew, dropped at the end) on the server `--database-url`
 * names, or on a throwaway cluster (see lib/postgres.ts), with one more column: the private
 * memory of the server processes serving that database.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { failWithServiceLog, startServiceProcess, type ServiceProcess } from '../lib/service-process.js';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { mb, metricValue, progressBar } from '../lib/bench-util.js';
import { benchPostgres } from './lib/postgres.js';

const { values: args } = parseArgs({
  options: {
    stages: { type: 'string', default: '25000,50000,100000' },
    concurrency: { type: 'string', default: '16' },
    port: { type: 'string', default: '0' },
    kinds: { type: 'string' },
    database: { type: 'string', default: 'sqlite' },
    'database-url': { type: 'string' },
    'pg-port': { type: 'string', default: '0' },
  },
});
if (args.database !== 'sqlite' && args.database !== 'postgres') throw new Error('--database is sqlite or postgres');
const STAGES = args.stages.split(',').map(Number);
const CONCURRENCY = Number(args.concurrency);
const CEILING_BYTES_PER_REQUEST = 16;
const ADMIN = `bench-admin-${process.pid}-0123456789`;
const DIM = 16;
const CONCEPTS = ['a', 'b', 'c'];
const root = path.resolve(import.meta.dirname, '../..');
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

/** One hostile request per kind, distinct for each `i`. */
type Kind = { id: string; name: string; send: (url: string, label: string, i: number) => Promise<Response> };
const json = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
const ALL_KINDS: Kind[] = [
  { id: 'model', name: 'unknown model name', send: (url, _l, i) => fetch(`${url}/v1/models/no-such-model-${i}`, { headers: { authorization: `Bearer ${ADMIN}` } }) },
  { id: 'key', name: 'unknown key', send: (url, _l, i) => fetch(`${url}/v1/models/bench`, { headers: { authorization: `Bearer dl_admin_${i.toString(36)}${'x'.repeat(40)}` } }) },
  { id: 'priority-region', name: 'claim by priority naming a new region', send: (url, label, i) => fetch(`${url}/v1/models/bench-priority/queue/claim`, { method: 'POST', headers: json(label), body: JSON.stringify({ labeler: 'ann', limit: 1, region: 1000 + i }) }) },
  { id: 'region', name: 'claim naming a new region', send: (url, label, i) => fetch(`${url}/v1/models/bench/queue/claim`, { method: 'POST', headers: json(label), body: JSON.stringify({ labeler: 'ann', limit: 1, region: 1000 + i }) }) },
  { id: 'labeler', name: 'claim as another labeler', send: (url, label, i) => fetch(`${url}/v1/models/bench/queue/claim`, { method: 'POST', headers: json(label), body: JSON.stringify({ labeler: `someone-${i}`, limit: 1 }) }) },
  { id: 'path', name: 'unknown path and query', send: (url, _l, i) => fetch(`${url}/nowhere/${i}?p${i}=${i}&q${i % 997}=x&page=${i}`) },
  { id: 'sign-in', name: 'sign-in with an unknown key', send: (url, _l, i) => fetch(`${url}/ui/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=dl_label_guess${i}&next=%2Fui%2Fmodels%2Fm${i}` }) },
  { id: 'item', name: 'renewal of an unknown item', send: (url, label, i) => fetch(`${url}/v1/models/bench/queue/items/${100_000 + i}/renew`, { method: 'POST', headers: json(label), body: JSON.stringify({ labeler: 'ann' }) }) },
];
const KINDS = args.kinds === undefined ? ALL_KINDS : ALL_KINDS.filter((k) => args.kinds!.split(',').includes(k.id));
if (KINDS.length === 0) throw new Error(`--kinds takes some of ${ALL_KINDS.map((k) => k.id).join(',')}`);

function rssOf(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

async function scrape(svc: ServiceProcess): Promise<string> {
  return (await fetch(`${svc.url}/metrics`)).text();
}

/** RSS and heap in use now, then after a full GC in the service. */
async function measure(svc: ServiceProcess): Promise<{ rss: number; heap: number; rssGc: number; heapGc: number }> {
  const rss = rssOf(svc.child.pid!);
  const heap = metricValue(await scrape(svc), 'driftloop_nodejs_heap_size_used_bytes')!;
  const seen = svc.logs.length;
  svc.child.kill('SIGUSR2');
  for (let i = 0; i < 500 && !svc.logs.slice(seen).some((l) => l.includes('GC_DONE')); i++) await new Promise((r) => setTimeout(r, 10));
  const done = svc.logs.slice(seen).find((l) => l.includes('GC_DONE'));
  if (!done?.includes('full')) throw new Error(`the service did not run a full GC: ${done ?? 'no answer'}`);
  return { rss, heap, rssGc: rssOf(svc.child.pid!), heapGc: metricValue(await scrape(svc), 'driftloop_nodejs_heap_size_used_bytes')! };
}

/**
 * On PostgreSQL, the private memory (RssAnon) of the server processes serving the service's
 * database, when the server runs on this machine: what a hostile client could grow on the
 * server's side (plan caches, per-connection state), which the service's heap does not show.
 */
async function backendMemory(adminUrl: string, databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [new URL(databaseUrl).pathname.slice(1)]);
    let bytes = 0;
    for (const { pid } of rows) {
      const status = fs.existsSync(`/proc/${pid}/status`) ? fs.readFileSync(`/proc/${pid}/status`, 'utf8') : '';
      const anon = /^RssAnon:\s+(\d+) kB$/m.exec(status);
      if (!anon) return `${rows.length} backends, not on this machine`;
      bytes += Number(anon[1]) * 1024;
    }
    return `${rows.length} backends, ${(bytes / 1024 / 1024).toFixed(1)} MB`;
  } finally {
    await client.end();
  }
}

/** driftloop_held_entries beside its cap, per structure. */
function heldEntries(text: string): string {
  const of = (metric: string) => new Map([...text.matchAll(new RegExp(`^${metric}\\{structure="([^"]+)"\\} (\\S+)$`, 'gm'))].map((m) => [m[1]!, m[2]!]));
  const caps = of('driftloop_held_entries_cap');
  return [...of('driftloop_held_entries')].map(([s, n]) => `${s} ${n}/${caps.get(s)}`).join(', ');
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-hostile-'));
const postgres = args.database === 'postgres' ? await benchPostgres(args['database-url'], Number(args['pg-port'])) : undefined;
const database = postgres ? await postgres.createDatabase('driftloop_bench_hostile') : undefined;
let service: ServiceProcess | undefined;
try {
  const where = database && postgres ? `PostgreSQL (${postgres.describe})` : 'SQLite';
  console.log(`driftloop hostile-input benchmark on ${where}: ${STAGES.at(-1)!.toLocaleString('en')} requests with distinct names, ids and parameters (${KINDS.length} kinds, round robin), ${CONCURRENCY} in flight; ${os.cpus().length} cores, node ${process.version}, load average ${loadavg()}`);
  const stored = { DRIFTLOOP_DATA_DIR: dataDir, ...(database ? { DRIFTLOOP_DATABASE_URL: database } : {}) };
  const env = { ...process.env, ...stored, LOG_LEVEL: 'error' };
  const label = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'keys', 'create', '--role', 'label', '--name', 'ann', '--init'], { cwd: root, env, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  const svc = await startServiceProcess({ ...stored, DRIFTLOOP_ADMIN_KEY: ADMIN, PORT: args.port }, { nodeArgs: ['--expose-gc', '--import', pathToFileURL(path.join(import.meta.dirname, 'lib/gc-on-signal.mjs')).href] });
  service = svc;
  const data = new ClusteredData({ dim: DIM, clusters: 3, spread: 0.25, seed: 7 });
  if ((await svc.request('PUT', '/v1/models/bench', { task: 'multiclass', embeddingDim: DIM, concepts: CONCEPTS.map((id) => ({ id })), settings: { queue: { uncertaintyThreshold: 0, selection: 'typical' } } }, ADMIN)).status !== 201) throw new Error('could not create the model');
  const examples = Array.from({ length: 300 }, (_, i) => ({ id: `ex-${i}`, embedding: data.point(i % 3), concepts: [CONCEPTS[i % 3]!] }));
  if ((await svc.request('POST', '/v1/models/bench/examples', { examples }, ADMIN)).status !== 200) throw new Error('could not add examples');
  const predictions = Array.from({ length: 200 }, (_, i) => ({ id: `p-${i}`, embedding: data.outlier(3), scores: { a: 0.45, b: 0.44, c: 0.11 } }));
  if ((await svc.request('POST', '/v1/models/bench/predictions', { predictions }, ADMIN)).status !== 200) throw new Error('could not add predictions');
  if ((await svc.request('PUT', '/v1/models/bench-priority', { task: 'multiclass', embeddingDim: DIM, concepts: CONCEPTS.map((id) => ({ id })), settings: { queue: { uncertaintyThreshold: 0 } } }, ADMIN)).status !== 201) throw new Error('could not create the priority model');
  if ((await svc.request('POST', '/v1/models/bench-priority/examples', { examples }, ADMIN)).status !== 200) throw new Error('could not add examples');
  if ((await svc.request('POST', '/v1/models/bench-priority/predictions', { predictions }, ADMIN)).status !== 200) throw new Error('could not add predictions');
  // One pass of every kind first, so code compiled and caches filled once are in the baseline.
  for (let i = 0; i < 100 * KINDS.length; i++) await (await KINDS[i % KINDS.length]!.send(svc.url, label, -1 - i)).arrayBuffer();

  const base = await measure(svc);
  const answers = new Map<string, number>();
  const backends = async () => (database && postgres ? `${await backendMemory(postgres.adminUrl, database)} | ` : '');
  const row = async (point: string, rss: number, heap: number, growth = '') => console.log(`| ${point} | ${mb(rss)} | ${(heap / 1024 / 1024).toFixed(1)} MB | ${growth} | ${await backends()}${loadavg()} |`);
  console.log(`| point | RSS | V8 heap in use | heap retained per request since the last GC row (ceiling) | ${database ? "PostgreSQL backends' private memory (RssAnon) | " : ''}load average |`);
  console.log(`| --- | ---: | ---: | ---: | ${database ? '---: | ' : ''}--- |`);
  await row('before, after a GC', base.rssGc, base.heapGc);
  let sent = 0;
  let last = base;
  for (const stage of STAGES) {
    const bar = progressBar(`hostile requests to ${stage}`, stage - sent);
    const from = sent;
    let next = sent;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < stage) {
        const i = next++;
        const kind = KINDS[i % KINDS.length]!;
        const res = await kind.send(svc.url, label, i);
        await res.arrayBuffer();
        const key = `${kind.name} ${res.status}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
        if ((i - from) % 500 === 0) bar.update(i - from);
      }
    }));
    bar.stop();
    sent = stage;
    const m = await measure(svc);
    await row(`after ${stage.toLocaleString('en')}`, m.rss, m.heap);
    const perRequest = (m.heapGc - last.heapGc) / (stage - from);
    await row(`after ${stage.toLocaleString('en')}, after a GC`, m.rssGc, m.heapGc, `${perRequest.toFixed(1)} B (${CEILING_BYTES_PER_REQUEST} B ${perRequest <= CEILING_BYTES_PER_REQUEST ? 'met' : 'MISSED'})`);
    last = m;
  }
  console.log(
    `retained after a GC over all ${sent.toLocaleString('en')} hostile requests: heap ${((last.heapGc - base.heapGc) / 1024 / 1024).toFixed(2)} MB (${((last.heapGc - base.heapGc) / sent).toFixed(1)} B a request), ` +
      `RSS ${((last.rssGc - base.rssGc) / 1024 / 1024).toFixed(1)} MB (${((last.rssGc - base.rssGc) / sent).toFixed(1)} B a request)`,
  );
  console.log(`held entries (size/cap): ${heldEntries(await scrape(svc))}`);
  console.log(`answers: ${[...answers].sort().map(([k, n]) => `${k}: ${n}`).join('; ')}`);
  svc.child.kill('SIGTERM');
  await svc.exited;
} catch (err) {
  failWithServiceLog(err, service);
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (database) await postgres?.dropDatabase(database);
  postgres?.stop();
}
