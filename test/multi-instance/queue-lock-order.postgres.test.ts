import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONCEPT_IDS, CONCEPTS, outliers, UNSURE } from '../queue/support.js';
import { ManualClock } from '../support/clock.js';
import { ClusteredData } from '../support/clustered-data.js';
import { Dice } from '../support/fuzz.js';
import { untilCount } from '../support/until-count.js';
import { startTwoInstances, type TestServer, type TwoInstances } from '../support/server.js';

/**
 * The queue's lock order (docs/queue.md, "Lock order on PostgreSQL") under mixed work: rounds of
 * claims, label batches (several labelers, bulk and skips), retractions, renewals, queue reads
 * (which give expired leases back) and ingest batches over the same few items, sent at once to
 * two instances whose clocks are 3 ms apart while both clocks move on, so leases expire in the
 * middle of the round. A deadlock (PostgreSQL 40P01) would answer 500: no answer may be a 5xx.
 * Afterwards every item's counts match its lease and label rows and its status, the kept counts
 * match the items, and both instances answer the same queue.
 *
 * DRIFTLOOP_FUZZ_SEEDS="1,2,3" and DRIFTLOOP_FUZZ_REQUESTS=120 run a longer search by hand.
 */
const SEEDS = (process.env.DRIFTLOOP_FUZZ_SEEDS ?? '20261202').split(',').map(Number);
const ROUNDS = Number(process.env.DRIFTLOOP_FUZZ_REQUESTS ?? 40);
const LABELERS = ['ann', 'bob', 'cy', 'dee', 'eve'] as const;
const LEASE_SECONDS = 1;

interface Answer {
  status: number;
  body: any;
}

describe.each(SEEDS)('mixed queue work on two instances, seed %i', (seed) => {
  let a: TestServer;
  let b: TestServer;
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const clockA = new ManualClock(start);
  const clockB = new ManualClock(start + 3);
  const data = new ClusteredData({ dim: 16, clusters: 3, spread: 0.25, seed: 7 });
  const db = () => a.driftloop.services.database.db;
  let modelId = 0;

  let instances: TwoInstances | undefined;

  beforeAll(async () => {
    instances = await startTwoInstances({
      clocks: [clockA, clockB],
      beforeB: async (a) => {
        expect((await a.request('PUT', '/v1/models/m', { task: 'multiclass', embeddingDim: 16, concepts: CONCEPTS, settings: { queue: { labelsPerItem: 2, leaseSeconds: LEASE_SECONDS } } })).status).toBe(201);
        const examples = Array.from({ length: 240 }, (_, i) => ({ id: `ex-${i}`, embedding: data.point(i % 3), concepts: [CONCEPT_IDS[i % 3]!], split: i % 5 ? 'train' : 'eval' }));
        expect((await a.request('POST', '/v1/models/m/examples', { examples })).status).toBe(200);
      },
    });
    ({ a, b } = instances);
    modelId = (await a.driftloop.services.models.get('m')).id;
  });
  afterAll(() => instances?.stop());

  it(`when ${ROUNDS} rounds of claims, labels, bulk labels, retractions, renewals, reads and ingests of the same items go to both instances at once, then none deadlocks and the queue ends consistent`, async () => {
    const dice = new Dice(seed);
    const tally: Record<string, number> = {};
    let serial = 0;
    const ingest = (n: number) => ({ method: 'POST', path: '/v1/models/m/predictions', body: { predictions: outliers(data, n).map((embedding) => ({ id: `p-${seed}-${serial++}`, embedding, scores: UNSURE })) } });
    expect((await a.request(ingest(12).method, ingest(0).path, ingest(12).body)).status).toBe(200);

    for (let round = 0; round < ROUNDS; round++) {
      // The items in play: the newest open ones and a few done ones (labels and retractions reach those too).
      const open = (await db().selectFrom('queue_items').select('id').where('model_id', '=', modelId).where('status', 'in', ['pending', 'leased']).orderBy('id', 'desc').limit(8).execute()).map((r) => String(r.id));
      const done = (await db().selectFrom('queue_items').select('id').where('model_id', '=', modelId).where('status', '=', 'labeled').orderBy('id', 'desc').limit(3).execute()).map((r) => String(r.id));
      const items = [...open, ...done];
      // Renewals and labels name leases that exist more often than not.
      const held = (await db().selectFrom('queue_leases').select(['item_id', 'labeler']).where('model_id', '=', modelId).execute()).map((l) => ({ itemId: String(l.item_id), labeler: l.labeler }));
      const leaseOr = (labeler: string, itemId: string) => (held.length && dice.chance(0.7) ? dice.pick(held) : { itemId, labeler });
      if (open.length < 4) expect((await a.request('POST', '/v1/models/m/predictions', ingest(6).body)).status).toBe(200);
      const some = (n: number) => [...new Set(Array.from({ length: n }, () => dice.pick(items)))];
      const requests: { method: string; path: string; body?: unknown }[] = [];
      const count = 6 + dice.int(5);
      for (let i = 0; i < count; i++) {
        const labeler = dice.pick(LABELERS);
        const kind = dice.pick(['claim', 'claim', 'label', 'label', 'bulk', 'retract', 'renew', 'read', 'ingest'] as const);
        if (kind === 'claim') requests.push({ method: 'POST', path: '/v1/models/m/queue/claim', body: { labeler, limit: 1 + dice.int(3) } });
        else if (kind === 'label' || kind === 'bulk') {
          // Several labelers in one batch, in either order; skips among them.
          const labels = some(1 + dice.int(3)).map((any) => {
            const { itemId, labeler: who } = leaseOr(dice.chance(0.5) ? labeler : dice.pick(LABELERS), any);
            return dice.chance(0.2) ? { itemId, labeler: who, concepts: [], skip: true } : { itemId, labeler: who, concepts: [dice.pick(CONCEPT_IDS)], ...(kind === 'bulk' ? { bulk: true } : {}) };
          });
          // One labeler labels an item once per batch.
          const unique = labels.filter((l, j) => labels.findIndex((m) => m.itemId === l.itemId && m.labeler === l.labeler) === j);
          requests.push({ method: 'POST', path: '/v1/models/m/labels', body: { labels: unique } });
        } else if (kind === 'retract') requests.push({ method: 'POST', path: '/v1/models/m/labels/retract', body: { labeler, itemIds: some(1 + dice.int(3)) } });
        else if (kind === 'renew') {
          const lease = leaseOr(labeler, dice.pick(items));
          requests.push({ method: 'POST', path: `/v1/models/m/queue/items/${lease.itemId}/renew`, body: { labeler: lease.labeler } });
        }
        else if (kind === 'read') requests.push({ method: 'GET', path: '/v1/models/m/queue' });
        else requests.push(ingest(1 + dice.int(3)));
      }
      const sent = requests.map((r, i) => (i % 2 ? b : a).request(r.method, r.path, r.body));
      // Both clocks move on while the requests run: leases expire in the middle of the round.
      for (let t = dice.int(6); t > 0; t--) await new Promise((resolve) => setImmediate(resolve));
      const step = 150 + dice.int(300);
      await clockA.advance(step);
      await clockB.advance(step);
      const answers: Answer[] = await Promise.all(sent);
      answers.forEach((x, i) => {
        const r = requests[i]!;
        const key = `${r.path.replace(/\/\d+\//, '/{id}/')} ${x.status}`;
        tally[key] = (tally[key] ?? 0) + 1;
        const context = `seed ${seed} round ${round}: ${r.method} ${r.path} ${JSON.stringify(r.body ?? null).slice(0, 300)} → ${x.status} ${JSON.stringify(x.body).slice(0, 300)}`;
        expect(x.status, context).toBeLessThan(500);
        if (x.status >= 400) expect(x.body.error, context).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      });
    }

    // Every item's counts are its rows, and its status follows from them.
    await clockA.advance(LEASE_SECONDS * 1000);
    await clockB.advance(LEASE_SECONDS * 1000);
    const rows = await db().selectFrom('queue_items').select(['id', 'status', 'labels_count', 'leases_count', 'out_of_scope_count', 'labels_needed']).where('model_id', '=', modelId).execute();
    const leases = await db().selectFrom('queue_leases').select(['item_id', 'labeler']).where('model_id', '=', modelId).execute();
    const labels = await db().selectFrom('queue_labels').select(['item_id', 'labeler']).where('model_id', '=', modelId).execute();
    const per = (list: { item_id: number; labeler: string }[]) => {
      const m = new Map<number, string[]>();
      for (const r of list) m.set(r.item_id, [...(m.get(r.item_id) ?? []), r.labeler]);
      return m;
    };
    const leasesOf = per(leases);
    const labelsOf = per(labels);
    for (const item of rows) {
      const held = leasesOf.get(item.id) ?? [];
      const given = labelsOf.get(item.id) ?? [];
      const context = `item ${item.id}: ${JSON.stringify(item)}, leases ${held}, labels ${given}`;
      expect({ leases: item.leases_count, labels: item.labels_count }, context).toEqual({ leases: held.length, labels: given.length });
      expect(new Set(held).size, context).toBe(held.length);
      expect(held.filter((l) => given.includes(l)), context).toEqual([]);
      expect(item.labels_count + item.leases_count, context).toBeLessThanOrEqual(item.labels_needed);
      const status = item.labels_count >= item.labels_needed ? (item.out_of_scope_count * 2 > item.labels_count ? 'out_of_scope' : 'labeled') : item.labels_count + item.leases_count >= item.labels_needed ? 'leased' : 'pending';
      expect(item.status, context).toBe(status);
    }

    // A read gives the expired leases back; then both instances answer the same, equal to the items.
    const view = async (s: TestServer) => {
      const { pending, leased, labeled, outOfScope } = (await s.request('GET', '/v1/models/m/queue')).body;
      return { pending, leased, labeled, outOfScope };
    };
    const fromA = await view(a);
    expect(await view(b)).toEqual(fromA);
    const byStatus = await db().selectFrom('queue_items').select(['status', (e) => e.fn.countAll().as('n')]).where('model_id', '=', modelId).groupBy('status').execute();
    const n = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
    expect(fromA).toEqual({ pending: n('pending'), leased: n('leased'), labeled: n('labeled'), outOfScope: n('out_of_scope') });
    expect(fromA.leased).toBe(0);
    console.info(`mixed queue work seed ${seed}: ${ROUNDS} rounds, answers ${JSON.stringify(tally)}`);
  });
});

/**
 * One lock cycle made to happen: a claim renews its labeler's lease while a queue read on an
 * instance whose clock is past that lease's expiry gives it back. The read (holding the queue
 * lock) deletes expired leases in row order: the labeler's, then two expired ones of another
 * labeler, the first of which the test holds. The claim gives the second back as expired (it
 * passes over the held one) and then renews its labeler's lease, which the read holds; the test
 * lets go, and the read waits for the lease the claim gave back.
 */
describe('a claim renewing a lease that a queue read on a clock ahead gives back as expired', () => {
  let a: TestServer;
  let b: TestServer;
  let url: string;
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const clockA = new ManualClock(start);
  const clockB = new ManualClock(start + 2);
  const data = new ClusteredData({ dim: 16, clusters: 3, spread: 0.25, seed: 7 });
  const db = () => a.driftloop.services.database.db;
  const definition = (leaseSeconds: number) => ({ task: 'multiclass', embeddingDim: 16, concepts: CONCEPTS, settings: { queue: { leaseSeconds } } });

  let instances: TwoInstances | undefined;

  beforeAll(async () => {
    instances = await startTwoInstances({ clocks: [clockA, clockB] });
    ({ a, b, databaseUrl: url } = instances);
  });
  afterAll(() => instances?.stop());

  it('when the read has to wait for a lease the claim gave back, then neither deadlocks and the claim hands out only leases its labeler holds', async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    /** Backends of this database waiting for a lock (the test's own reads never wait). */
    const waiting = async () => Number((await holder.query(`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].n);
    const untilWaiting = (n: number) => untilCount(waiting, n);
    try {
      for (let round = 0; round < 3; round++) {
        const model = `cycle-${round}`;
        expect((await a.request('PUT', `/v1/models/${model}`, definition(60))).status).toBe(201);
        const examples = Array.from({ length: 120 }, (_, i) => ({ id: `ex-${i}`, embedding: data.point(i % 3), concepts: [CONCEPT_IDS[i % 3]!] }));
        expect((await a.request('POST', `/v1/models/${model}/examples`, { examples })).status).toBe(200);
        const predictions = outliers(data, 4).map((embedding, i) => ({ id: `p-${i}`, embedding, scores: UNSURE }));
        expect((await a.request('POST', `/v1/models/${model}/predictions`, { predictions })).status).toBe(200);
        // ann's lease runs 60 s; then leases are 1 s long, and bob's two expire long before ann's.
        const [annItem] = (await a.request('POST', `/v1/models/${model}/queue/claim`, { labeler: 'ann', limit: 1 })).body.items as { itemId: string; leaseExpiresAt: string }[];
        expect((await a.request('PUT', `/v1/models/${model}`, definition(1))).status).toBe(200);
        expect((await a.request('POST', `/v1/models/${model}/queue/claim`, { labeler: 'bob', limit: 2 })).body.items).toHaveLength(2);
        // A's clock 1 ms before ann's lease expires, B's 1 ms after.
        const step = Date.parse(annItem!.leaseExpiresAt) - 1 - clockA.now().getTime();
        await clockA.advance(step);
        await clockB.advance(step);
        const modelId = (await a.driftloop.services.models.get(model)).id;
        const bobs = await db().selectFrom('queue_leases').select('id').where('model_id', '=', modelId).where('labeler', '=', 'bob').orderBy('id').execute();
        await holder.query('begin');
        await holder.query('select id from queue_leases where id = $1 for update', [bobs[0]!.id]);
        const read = b.request('GET', `/v1/models/${model}/queue`);
        const readWaits = await untilWaiting(1);
        const claim = a.request('POST', `/v1/models/${model}/queue/claim`, { labeler: 'ann', limit: 1 });
        const bothWait = await untilWaiting(2);
        await holder.query('rollback');
        const [r, c] = await Promise.all([read, claim]);
        const context = `round ${round} (waiting: ${readWaits}, then ${bothWait}): read ${r.status} ${JSON.stringify(r.body).slice(0, 300)}, claim ${c.status} ${JSON.stringify(c.body).slice(0, 300)}`;
        expect([r.status, c.status], context).toEqual([200, 200]);
        // Every item the claim hands out is leased to ann, until the expiry it answers.
        const leases = await db().selectFrom('queue_leases').select(['item_id', 'labeler', 'expires_at']).where('model_id', '=', modelId).execute();
        for (const item of c.body.items as { itemId: string; leaseExpiresAt: string }[]) {
          expect(leases, context).toContainEqual({ item_id: Number(item.itemId), labeler: 'ann', expires_at: item.leaseExpiresAt });
        }
        const items = await db().selectFrom('queue_items').select(['id', 'leases_count']).where('model_id', '=', modelId).execute();
        for (const item of items) expect(item.leases_count, context).toBe(leases.filter((l) => l.item_id === item.id).length);
        // Both had waited: the read for the held lease, the claim for the read.
        expect([readWaits, bothWait], context).toEqual([1, 2]);
        console.info(`lock cycle round ${round}: claim handed out ${JSON.stringify(c.body.items.map((i: { itemId: string }) => i.itemId))}, ann's lease on ${annItem!.itemId} given back by the read`);
      }
    } finally {
      await holder.end();
    }
  });
});
