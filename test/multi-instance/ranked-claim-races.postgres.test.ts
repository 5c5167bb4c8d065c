import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCKS } from '../../src/db/dialect.js';
import { labelerLockKey } from '../../src/queue/leases.repository.js';
import { CONCEPT_IDS, CONCEPTS, outliers, UNSURE } from '../queue/support.js';
import { ManualClock } from '../support/clock.js';
import { ClusteredData } from '../support/clustered-data.js';
import { Dice } from '../support/fuzz.js';
import { untilCount } from '../support/until-count.js';
import { startTwoInstances, type TestServer, type TwoInstances } from '../support/server.js';

/**
 * Claims that walk a ranked selection (`queue.selection` other than `priority`) lock their
 * labeler's live leases and take the model's queue lock. Two instances on one PostgreSQL database
 * whose clocks are 2 ms apart, at the moment ann's leases expire (1 ms to go on A, expired 1 ms
 * ago on B): ann claims on A while B reads the queue, labels or renews, each of which gives ann's
 * leases back as expired under the queue lock. No answer may be a 5xx (a deadlock answers 503),
 * no item has more holders than `queue.labelsPerItem`, and both instances agree afterwards.
 */
const LEASE_SECONDS = 60;
const SKEW_MS = 2;
const ROUNDS = Number(process.env.DRIFTLOOP_FUZZ_REQUESTS ?? 24);

interface Answer {
  status: number;
  body: any;
}

describe('ranked claims on two instances with clocks 2 ms apart, at a lease expiry', () => {
  let a: TestServer;
  let b: TestServer;
  let url: string;
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const clockA = new ManualClock(start);
  const clockB = new ManualClock(start + SKEW_MS);
  const data = new ClusteredData({ dim: 16, clusters: 3, spread: 0.25, seed: 7 });
  const db = () => a.driftloop.services.database.db;
  let serial = 0;

  const definition = (labelsPerItem: number) => ({ task: 'multiclass', embeddingDim: 16, concepts: CONCEPTS, settings: { queue: { leaseSeconds: LEASE_SECONDS, labelsPerItem, selection: 'random' } } });

  let instances: TwoInstances | undefined;

  beforeAll(async () => {
    instances = await startTwoInstances({ clocks: [clockA, clockB] });
    ({ a, b, databaseUrl: url } = instances);
  });
  afterAll(() => instances?.stop());

  async function newModel(name: string, labelsPerItem: number, items: number): Promise<number> {
    expect((await a.request('PUT', `/v1/models/${name}`, definition(labelsPerItem))).status).toBe(201);
    const examples = Array.from({ length: 120 }, (_, i) => ({ id: `ex-${i}`, embedding: data.point(i % 3), concepts: [CONCEPT_IDS[i % 3]!] }));
    expect((await a.request('POST', `/v1/models/${name}/examples`, { examples })).status).toBe(200);
    await ingest(name, items);
    return (await a.driftloop.services.models.get(name)).id;
  }

  async function ingest(model: string, n: number): Promise<void> {
    const predictions = outliers(data, n).map((embedding) => ({ id: `p-${serial++}`, embedding, scores: UNSURE }));
    expect((await a.request('POST', `/v1/models/${model}/predictions`, { predictions })).status).toBe(200);
  }

  async function claim(s: TestServer, model: string, labeler: string, limit: number): Promise<{ itemId: string; leaseExpiresAt: string }[]> {
    const answer = await s.request('POST', `/v1/models/${model}/queue/claim`, { labeler, limit });
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
    return answer.body.items;
  }

  /** Sets A's clock 1 ms before `expiresAt` (B's 1 ms after). */
  async function toExpiry(expiresAt: string): Promise<void> {
    const step = Date.parse(expiresAt) - 1 - clockA.now().getTime();
    await clockA.advance(step);
    await clockB.advance(step);
  }

  /**
   * The cycle made to happen: the test holds ann's labeler lock, so her claim on A waits there
   * (after its own lease sweep and ranking), and holds bob's lease, which a queue read on B
   * deletes as expired before ann's (lower id), holding the queue lock. Then ann's lock is let go:
   * her claim locks her lease and asks for the queue lock the read holds; then bob's lease is let
   * go, and the read goes on to delete ann's lease.
   */
  it('when a queue read on B gives back a lease that ann’s ranked claim on A has locked, then neither deadlocks', async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    const waiting = async (where: string) => Number((await holder.query(`select count(*) as n from pg_locks where not granted and ${where}`)).rows[0].n);
    const until = (where: string, n: number) => untilCount(() => waiting(where), n);
    try {
      for (let round = 0; round < 3; round++) {
        const model = `cycle-${round}`;
        const modelId = await newModel(model, 1, 4);
        // bob's lease first (lower id), then ann's: both expire at the same instant.
        expect(await claim(a, model, 'bob', 1)).toHaveLength(1);
        const [annItem] = await claim(a, model, 'ann', 1);
        await toExpiry(annItem!.leaseExpiresAt);
        const bobs = await db().selectFrom('queue_leases').select('id').where('model_id', '=', modelId).where('labeler', '=', 'bob').execute();
        const annKey = labelerLockKey(modelId, 'ann');
        const onAnnsLock = `locktype = 'advisory' and classid = ${LOCKS.labeler} and objid = ${annKey >>> 0}`;
        const onQueueLock = `locktype = 'advisory' and classid = ${LOCKS.queue} and objid = ${modelId}`;
        await holder.query('select pg_advisory_lock($1, $2)', [LOCKS.labeler, annKey]);
        const claimed = a.request('POST', `/v1/models/${model}/queue/claim`, { labeler: 'ann', limit: 1 });
        const claimWaits = await until(onAnnsLock, 1);
        await holder.query('begin');
        await holder.query('select id from queue_leases where id = $1 for update', [bobs[0]!.id]);
        const read = b.request('GET', `/v1/models/${model}/queue`);
        const readWaits = await until(`locktype = 'transactionid'`, 1);
        await holder.query('select pg_advisory_unlock($1, $2)', [LOCKS.labeler, annKey]);
        // On the code this test was written against, the claim now holds ann's lease and waits for the queue lock.
        const claimWaitsAgain = (await until(onQueueLock, 1)) + (await waiting(onAnnsLock));
        await holder.query('rollback');
        const [c, r] = await Promise.all([claimed, read]);
        const context = `round ${round} (waits ${claimWaits}, ${readWaits}, ${claimWaitsAgain}): claim ${c.status} ${JSON.stringify(c.body).slice(0, 300)}, read ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
        expect([c.status, r.status], context).toEqual([200, 200]);
        expect([claimWaits, readWaits], context).toEqual([1, 1]);
        // Whatever the claim hands out is leased to ann until the expiry it answers; no item has two holders.
        const leases = await db().selectFrom('queue_leases').select(['item_id', 'labeler', 'expires_at']).where('model_id', '=', modelId).execute();
        for (const item of c.body.items as { itemId: string; leaseExpiresAt: string }[]) {
          expect(leases, context).toContainEqual({ item_id: Number(item.itemId), labeler: 'ann', expires_at: item.leaseExpiresAt });
        }
        const items = await db().selectFrom('queue_items').select(['id', 'leases_count']).where('model_id', '=', modelId).execute();
        for (const item of items) {
          expect(item.leases_count, context).toBe(leases.filter((l) => l.item_id === item.id).length);
          expect(item.leases_count, context).toBeLessThanOrEqual(1);
        }
      }
    } finally {
      await holder.end();
    }
  });

  it(`when, ${ROUNDS} times, ann claims on A as B reads the queue, labels or renews, then no answer is a 5xx and no item has more holders than its slots`, async () => {
    const model = 'raced';
    const modelId = await newModel(model, 2, 12);
    const dice = new Dice(20261202);
    const tally: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const open = await db().selectFrom('queue_items').select('id').where('model_id', '=', modelId).where('status', '=', 'pending').execute();
      if (open.length < 6) await ingest(model, 6);
      // ann holds two or three leases, bob one or two; ann's expire at the same instant, bob's with hers or later.
      const ann = await claim(a, model, 'ann', 2 + dice.int(2));
      if (dice.chance(0.5)) await clockA.advance(1), await clockB.advance(1);
      const bob = await claim(a, model, 'bob', 1 + dice.int(2));
      await toExpiry(ann[0]!.leaseExpiresAt);
      const other = dice.pick(['read', 'label', 'renew', 'cy'] as const);
      const bobItem = bob[0]?.itemId ?? ann[0]!.itemId;
      const sent: [() => Promise<Answer>, () => Promise<Answer>] = [
        () => a.request('POST', `/v1/models/${model}/queue/claim`, { labeler: 'ann', limit: 1 + dice.int(4) }),
        other === 'read'
          ? () => b.request('GET', `/v1/models/${model}/queue`)
          : other === 'label'
            ? () => b.request('POST', `/v1/models/${model}/labels`, { labels: [{ itemId: bobItem, labeler: 'bob', concepts: [dice.pick(CONCEPT_IDS)] }] })
            : other === 'renew'
              ? () => b.request('POST', `/v1/models/${model}/queue/items/${bobItem}/renew`, { labeler: 'bob' })
              : () => b.request('POST', `/v1/models/${model}/queue/claim`, { labeler: 'cy', limit: 2 }),
      ];
      const [c, o] = round % 2 ? await Promise.all(sent.map((f) => f())) : (await Promise.all([sent[1](), sent[0]()])).reverse();
      const context = `round ${round} (${other}): claim ${c!.status} ${JSON.stringify(c!.body).slice(0, 300)}, ${other} ${o!.status} ${JSON.stringify(o!.body).slice(0, 300)}`;
      for (const x of [c!, o!]) expect(x.status, context).toBeLessThan(500);
      tally[`${other} ${c!.status}/${o!.status}`] = (tally[`${other} ${c!.status}/${o!.status}`] ?? 0) + 1;
      // ann's claim hands out only items leased to her, until the expiry it answers.
      const leases = await db().selectFrom('queue_leases').select(['item_id', 'labeler', 'expires_at']).where('model_id', '=', modelId).execute();
      for (const item of c!.body.items as { itemId: string; leaseExpiresAt: string }[]) {
        expect(leases, context).toContainEqual({ item_id: Number(item.itemId), labeler: 'ann', expires_at: item.leaseExpiresAt });
      }
      const items = await db().selectFrom('queue_items').select(['id', 'leases_count', 'labels_count', 'labels_needed']).where('model_id', '=', modelId).execute();
      for (const item of items) {
        const held = leases.filter((l) => l.item_id === item.id).map((l) => l.labeler);
        expect({ count: item.leases_count, holders: new Set(held).size }, `${context}, item ${JSON.stringify(item)}: ${held}`).toEqual({ count: held.length, holders: held.length });
        expect(item.leases_count + item.labels_count, context).toBeLessThanOrEqual(item.labels_needed);
      }
      // Everyone's leases run out before the next round.
      await clockA.advance(LEASE_SECONDS * 1000 + SKEW_MS);
      await clockB.advance(LEASE_SECONDS * 1000 + SKEW_MS);
    }
    const view = async (s: TestServer) => {
      const { pending, leased, labeled } = (await s.request('GET', `/v1/models/${model}/queue`)).body;
      return { pending, leased, labeled };
    };
    const fromA = await view(a);
    expect(await view(b)).toEqual(fromA);
    const byStatus = await db().selectFrom('queue_items').select(['status', (e) => e.fn.countAll().as('n')]).where('model_id', '=', modelId).groupBy('status').execute();
    const n = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
    expect(fromA).toEqual({ pending: n('pending'), leased: n('leased'), labeled: n('labeled') });
    expect(fromA.leased).toBe(0);
    console.info(`ranked claim races: ${JSON.stringify(tally)}`);
  });
});
