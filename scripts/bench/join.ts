/**
 * Join benchmark: `npm run bench -- join [--examples 100000] [--dim 256] [--after 1000] [--database-url postgres://…]`.
 *
 * On PostgreSQL (a new database on the given server; default DRIFTLOOP_BENCH_DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/postgres): stores `examples` clustered examples, then
 * 1. rebuilds the reference index from the database alone (what an instance without a
 *    snapshot does: the ceiling), and publishes its snapshot;
 * 2. stores `after` more examples;
 * 3. joins from the snapshot with an empty data folder (loads it, catches up the `after`),
 *    for the reference index alone and for a whole instance (container start to ready).
 * Prints each time beside the rebuild ceiling of the same run, and the load average.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { createContainer } from '../../src/composition/container.js';
import { ownerReadRepositories, ownerReads } from '../../src/composition/ports.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { EventBus } from '../../src/events/event-bus.js';
import { insertExamples, type NewExampleRow } from '../../src/examples/examples.repository.js';
import { ModelsService } from '../../src/models/models.service.js';
import { ReferenceRegistry } from '../../src/reference/reference.registry.js';
import { IndexSnapshots } from '../../src/snapshots/index-snapshots.js';
import { systemClock } from '../../src/util/clock.js';
import { splitForId } from '../../src/util/hash-split.js';
import { encodeVector } from '../../src/util/vectors.js';
import { ClusteredData } from '../../test/support/clustered-data.js';
import { mb, progressBar } from '../lib/bench-util.js';

const { values: args } = parseArgs({
  options: {
    examples: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '256' },
    after: { type: 'string', default: '1000' },
    'database-url': { type: 'string', default: process.env.DRIFTLOOP_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const EXAMPLES = Number(args.examples);
const DIM = Number(args.dim);
const AFTER = Number(args.after);
const CLUSTERS = 50;
const GOAL_S = 30;
const concepts = Array.from({ length: 10 }, (_, i) => `c${i}`);
const data = new ClusteredData({ dim: DIM, clusters: CLUSTERS, spread: 0.6, seed: 42 });
const log = pino({ level: 'warn' });
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const tempDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `driftloop-bench-join-${name}-`));

async function createBenchDatabase(admin: string): Promise<string> {
  const name = `driftloop_bench_join_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

console.log(`join benchmark: ${EXAMPLES} examples × ${DIM} dims on PostgreSQL, ${AFTER} more after the snapshot`);
console.log(`load average at start: ${loadavg()} (${os.cpus().length} cores)`);
const url = await createBenchDatabase(args['database-url']);
const database = await openDatabase({ dataDir: tempDir('db'), databaseUrl: url });
const { db } = database;
const { model } = await new ModelsService(db, new EventBus(), systemClock, ownerReads(db)).put('bench', {
  task: 'multiclass',
  embeddingDim: DIM,
  concepts: concepts.map((id) => ({ id })),
} as Parameters<ModelsService['put']>[1]);

async function store(from: number, count: number, label: string): Promise<void> {
  const bar = progressBar(label, count);
  for (let i = from; i < from + count; i += 1000) {
    const rows: NewExampleRow[] = Array.from({ length: Math.min(1000, from + count - i) }, (_, j) => {
      const id = `ex-${i + j}`;
      const c = (i + j) % CLUSTERS;
      return { model_id: model.id, id, split: splitForId(id), source: 'original', concepts_json: JSON.stringify([concepts[c % 10]]), embedding: encodeVector(data.point(c)), input_json: null, metadata_json: null, scores_json: null, top_score: null, created_at: new Date().toISOString() };
    });
    await db.transaction().execute((trx) => insertExamples(trx, rows));
    bar.update(i - from + rows.length);
  }
  bar.stop();
}

// `follow` as the service sets it on PostgreSQL: each instance continues from the published snapshot.
const snapshots = () => ({ store: new IndexSnapshots(db, systemClock), publishEveryMs: 0, now: () => Date.now(), follow: true });
await store(0, EXAMPLES, 'storing examples');

const builder = new ReferenceRegistry(db, tempDir('rebuild'), undefined, log, { reads: ownerReadRepositories.examples, snapshots: snapshots() });
const rebuild = await timed(() => builder.get(model));
if (builder.opening(model.id)?.from !== 'rebuilt') throw new Error('the first instance was expected to rebuild');
const publish = await timed(() => builder.saveAll('now'));
const [snapshot] = (await db.selectFrom('index_snapshots').select(['files_json', 'high_water']).where('model_id', '=', model.id).where('kind', '=', 'reference').execute());
if (!snapshot) throw new Error('no snapshot was published');
const snapshotBytes = (JSON.parse(snapshot.files_json) as { bytes: number }[]).reduce((a, f) => a + f.bytes, 0);

await store(EXAMPLES, AFTER, 'storing later examples');
const joiner = new ReferenceRegistry(db, tempDir('join'), undefined, log, { reads: ownerReadRepositories.examples, snapshots: snapshots() });
const join = await timed(() => joiner.get(model));
const opening = joiner.opening(model.id);
if (opening?.from !== 'snapshot') throw new Error(`the joining index was opened from ${opening?.from}, not the snapshot`);

// The first instance's poll: it continues from the snapshot it published (its own files, the
// same bytes) and takes the later examples too. HNSW draws each new point's level from a
// generator that loading resets; both now grew from the same loaded file, so both must score
// exactly alike and hold the same calibration.
await builder.follow(model);
const rebuilt = await builder.get(model);
const queries = Array.from({ length: 200 }, (_, i) => (i % 10 === 9 ? data.outlier() : data.point(i % CLUSTERS)));
const compared = queries.map((q) => ({ x: rebuilt.measure(q), y: join.value.measure(q) }));
const same = compared.filter(({ x, y }) => x.distance === y.distance && x.score === y.score).length;
const maxScoreDiff = Math.max(...compared.map(({ x, y }) => Math.abs(x.score - y.score)));
const maxDistanceDiff = Math.max(...compared.map(({ x, y }) => Math.abs(x.distance - y.distance) / x.distance));
const calibrationSame = JSON.stringify(rebuilt.calibrationEntries()) === JSON.stringify(join.value.calibrationEntries());

// A whole instance: container start (TensorFlow.js, warm-up of every index) with an empty data folder.
const config = loadConfig({ DRIFTLOOP_DATA_DIR: tempDir('instance'), DRIFTLOOP_DATABASE_URL: url, LOG_LEVEL: 'warn', PORT: '0' });
const instance = await timed(async () => {
  const c = await createContainer(config, { log });
  await c.start();
  return c;
});
const instanceFrom = instance.value.references.opening(model.id)?.from;
await instance.value.close();
await database.close();

const load = loadavg();
console.log('');
console.log(`rebuild from the database (ceiling): ${seconds(rebuild.ms)} for ${EXAMPLES} points (${Math.round(EXAMPLES / (rebuild.ms / 1000))} points/s)`);
console.log(`publish snapshot:                   ${seconds(publish.ms)} (${mb(snapshotBytes)}, high-water seq ${snapshot.high_water})`);
console.log(`join, reference index:              ${seconds(join.ms)} (from ${opening.from}, caught up ${opening.caughtUp} later rows) = ${(join.ms / rebuild.ms).toFixed(3)}× the rebuild`);
console.log(`join, whole instance ready:         ${seconds(instance.ms)} (reference index from ${instanceFrom}) — goal < ${GOAL_S} s`);
console.log(`scores equal (joined vs publisher): ${same}/${queries.length} queries; largest difference ${maxScoreDiff.toFixed(4)} in OOD score, ${(100 * maxDistanceDiff).toFixed(2)}% in k-NN distance; calibration ${calibrationSame ? 'identical' : 'differs'}`);
console.log(`load average at end: ${load} — measured on a shared machine, under load`);
console.log(`uptime: ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
