import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONCEPT_IDS, CONCEPTS, outliers, UNSURE } from '../queue/support.js';
import { ManualClock } from '../support/clock.js';
import { ClusteredData } from '../support/clustered-data.js';
import { startTwoInstances, type TestServer, type TwoInstances } from '../support/server.js';

/**
 * Two instances on one PostgreSQL database whose clocks differ by 2 ms, at the moment a lease
 * expires: for A it has 1 ms to go, for B it expired 1 ms ago. The lease's holder renews or labels
 * on A while another labeler claims on B, both at once. Exactly one of them ends up with the
 * item's one slot, whichever commits first, and the answers say which: a renewal that answers
 * 200 holds the lease it names, a refused one answers 409, never a 5xx.
 */
const ROUNDS = 24;
const LEASE_SECONDS = 60;
const SKEW_MS = 2;
const MODELS = ['renewed', 'labeled', 'shared'] as const;

interface Answer {
  status: number;
  body: any;
}

describe('two instances with clocks 2 ms apart, at a lease expiry', () => {
  let a: TestServer;
  let b: TestServer;
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const clockA = new ManualClock(start);
  const clockB = new ManualClock(start + SKEW_MS);
  const data = new ClusteredData({ dim: 16, clusters: 3, spread: 0.25, seed: 7 });
  let serial = 0;
  const db = () => a.driftloop.services.database.db;

  let instances: TwoInstances | undefined;

  beforeAll(async () => {
    instances = await startTwoInstances({
      clocks: [clockA, clockB],
      beforeB: async (a) => {
        // One model per race, so a failure in one leaves nothing behind for the other.
        for (const model of MODELS) {
          const queue = { leaseSeconds: LEASE_SECONDS, labelsPerItem: model === 'shared' ? 2 : 1 };
          expect((await a.request('PUT', `/v1/models/${model}`, { task: 'multiclass', embeddingDim: 16, concepts: CONCEPTS, settings: { queue } })).status).toBe(201);
          const examples = Array.from({ length: 240 }, (_, i) => ({ id: `ex-${i}`, embedding: data.point(i % 3), concepts: [CONCEPT_IDS[i % 3]!], split: i % 5 ? 'train' : 'eval' }));
          expect((await a.request('POST', `/v1/models/${model}/examples`, { examples })).status).toBe(200);
        }
      },
    });
    ({ a, b } = instances);
  });
  afterAll(() => instances?.stop());

  /** Moves both clocks on by `ms`. */
  async function advance(ms: number): Promise<void> {
    await clockA.advance(ms);
    await clockB.advance(ms);
  }

  /** Queues one item, leases it to ann through A and sets A's clock 1 ms before the lease expires (B's 1 ms after). */
  async function leasedToAnn(model: string): Promise<string> {
    const predictions = outliers(data, 1).map((embedding) => ({ id: `p-${serial++}`, embedding, scores: UNSURE }));
    expect((await a.request('POST', `/v1/models/${model}/predictions`, { predictions })).status).toBe(200);
    const claimed = await a.request('POST', `/v1/models/${model}/queue/claim`, { labeler: 'ann', limit: 1 });
    expect(claimed.body.items).toHaveLength(1);
    const { itemId, leaseExpiresAt } = claimed.body.items[0] as { itemId: string; leaseExpiresAt: string };
    await advance(Date.parse(leaseExpiresAt) - 1 - clockA.now().getTime());
    return itemId;
  }

  async function stored(itemId: string) {
    const id = Number(itemId);
    const item = await db().selectFrom('queue_items').select(['status', 'labels_count', 'leases_count']).where('id', '=', id).executeTakeFirstOrThrow();
    const leases = await db().selectFrom('queue_leases').select(['labeler', 'expires_at']).where('item_id', '=', id).execute();
    const labels = await db().selectFrom('queue_labels').select(['labeler', 'claimed']).where('item_id', '=', id).execute();
    return { ...item, leases, labels };
  }

  /** Sends both at once, in the order the round picks; answers in the order given. */
  async function atOnce(round: number, first: () => Promise<Answer>, second: () => Promise<Answer>, context: string): Promise<[Answer, Answer]> {
    const answers: [Answer, Answer] = round % 2 ? await Promise.all([first(), second()]) : ((await Promise.all([second(), first()])).reverse() as [Answer, Answer]);
    for (const x of answers) expect(x.status, `${context}: ${JSON.stringify(x.body).slice(0, 300)}`).toBeLessThan(500);
    return answers;
  }

  it('when the holder renews on A as another labeler claims on B, then exactly one of them holds the item and the renewal answers accordingly', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const itemId = await leasedToAnn('renewed');
      const context = `round ${round}`;
      const [renewed, claimed] = await atOnce(
        round,
        () => a.request('POST', `/v1/models/renewed/queue/items/${itemId}/renew`, { labeler: 'ann' }),
        () => b.request('POST', '/v1/models/renewed/queue/claim', { labeler: 'bob', limit: 1 }),
        context,
      );
      const item = await stored(itemId);
      const bobGot = (claimed.body.items as { itemId: string }[]).some((i) => i.itemId === itemId);
      const details = `${context}: renew ${renewed.status} ${JSON.stringify(renewed.body)}, bob got it ${bobGot}, item ${JSON.stringify(item)}`;
      expect(item.leases, details).toHaveLength(1);
      expect({ leasesCount: item.leases_count, status: item.status }, details).toEqual({ leasesCount: 1, status: 'leased' });
      const holder = item.leases[0]!.labeler;
      if (renewed.status === 200) {
        expect({ holder, bobGot, expiresAt: item.leases[0]!.expires_at }, details).toEqual({ holder: 'ann', bobGot: false, expiresAt: renewed.body.leaseExpiresAt });
      } else {
        expect({ renew: renewed.status, code: renewed.body.error?.code, holder, bobGot }, details).toEqual({ renew: 409, code: 'conflict', holder: 'bob', bobGot: true });
      }
      seen.add(holder);
      expect((await (holder === 'ann' ? a : b).request('POST', '/v1/models/renewed/labels', { labels: [{ itemId, labeler: holder, concepts: ['lager'] }] })).status, details).toBe(200);
    }
    console.info(`renew on A against a claim on B: holders seen ${[...seen].join(', ')}`);
  });

  it('when the holder labels on A as another labeler claims on B, then the one slot goes to exactly one of them', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const itemId = await leasedToAnn('labeled');
      const context = `round ${round}`;
      const [labeled, claimed] = await atOnce(
        round,
        () => a.request('POST', '/v1/models/labeled/labels', { labels: [{ itemId, labeler: 'ann', concepts: ['stout'] }] }),
        () => b.request('POST', '/v1/models/labeled/queue/claim', { labeler: 'bob', limit: 1 }),
        context,
      );
      const item = await stored(itemId);
      const bobGot = (claimed.body.items as { itemId: string }[]).some((i) => i.itemId === itemId);
      const details = `${context}: label ${labeled.status} ${JSON.stringify(labeled.body)}, bob got it ${bobGot}, item ${JSON.stringify(item)}`;
      expect(item.labels_count + item.leases_count, details).toBe(1);
      if (labeled.status === 200) {
        expect({ accepted: labeled.body.accepted, bobGot, status: item.status, labels: item.labels, leases: item.leases }, details).toEqual({
          accepted: 1,
          bobGot: false,
          status: 'labeled',
          labels: [{ labeler: 'ann', claimed: 1 }],
          leases: [],
        });
        seen.add('ann');
      } else {
        expect({ label: labeled.status, bobGot, holders: item.leases.map((l) => l.labeler), labels: item.labels }, details).toEqual({ label: 409, bobGot: true, holders: ['bob'], labels: [] });
        expect((await b.request('POST', '/v1/models/labeled/labels', { labels: [{ itemId, labeler: 'bob', concepts: ['lager'] }] })).status, details).toBe(200);
        seen.add('bob');
      }
    }
    console.info(`label on A against a claim on B: slot went to ${[...seen].join(', ')}`);
  });

  it('when, with two slots, the holder renews on A as two other labelers claim on B, then the item never has more than two holders and the renewal answers accordingly', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < ROUNDS / 2; round++) {
      // bob takes the second slot half a lease after ann: his lease outlives hers.
      const predictions = outliers(data, 1).map((embedding) => ({ id: `p-${serial++}`, embedding, scores: UNSURE }));
      expect((await a.request('POST', '/v1/models/shared/predictions', { predictions })).status).toBe(200);
      const [annItem] = (await a.request('POST', '/v1/models/shared/queue/claim', { labeler: 'ann', limit: 1 })).body.items as { itemId: string; leaseExpiresAt: string }[];
      await advance((LEASE_SECONDS * 1000) / 2);
      expect((await b.request('POST', '/v1/models/shared/queue/claim', { labeler: 'bob', limit: 1 })).body.items.map((i: { itemId: string }) => i.itemId)).toEqual([annItem!.itemId]);
      await advance(Date.parse(annItem!.leaseExpiresAt) - 1 - clockA.now().getTime());
      const itemId = annItem!.itemId;
      const context = `round ${round}`;
      const claimOnB = (labeler: string) => b.request('POST', '/v1/models/shared/queue/claim', { labeler, limit: 1 });
      const sent = [a.request('POST', `/v1/models/shared/queue/items/${itemId}/renew`, { labeler: 'ann' }), claimOnB('cy'), claimOnB('dee')];
      const [renewed, ...claims] = round % 2 ? await Promise.all(sent) : await Promise.all(sent.reverse()).then((x) => x.reverse());
      for (const x of [renewed!, ...claims]) expect(x.status, `${context}: ${JSON.stringify(x.body).slice(0, 300)}`).toBeLessThan(500);
      const item = await stored(itemId);
      const got = ['cy', 'dee'].filter((_, i) => (claims[i]!.body.items as { itemId: string }[]).some((x) => x.itemId === itemId));
      const holders = item.leases.map((l) => l.labeler).sort();
      const details = `${context}: renew ${renewed!.status}, claimed by ${got}, item ${JSON.stringify(item)}`;
      expect({ leasesCount: item.leases_count, status: item.status }, details).toEqual({ leasesCount: 2, status: 'leased' });
      expect(holders, details).toEqual(renewed!.status === 200 ? ['ann', 'bob'] : ['bob', ...got].sort());
      expect(got.length, details).toBe(renewed!.status === 200 ? 0 : 1);
      if (renewed!.status !== 200) expect(renewed!.status, details).toBe(409);
      seen.add(renewed!.status === 200 ? 'ann' : got[0]!);
      for (const labeler of holders) expect((await (labeler === 'ann' ? a : b).request('POST', '/v1/models/shared/labels', { labels: [{ itemId, labeler, concepts: ['ipa'] }] })).status, details).toBe(200);
    }
    console.info(`renew on A against two claims on B, two slots: the slot went to ${[...seen].join(', ')}`);
  });

  it('when it is over, then both instances answer the same queue, equal to the stored items', async () => {
    for (const model of MODELS) {
      const view = async (s: TestServer) => {
        const { pending, leased, labeled } = (await s.request('GET', `/v1/models/${model}/queue`)).body;
        return { pending, leased, labeled };
      };
      const fromA = await view(a);
      expect(await view(b)).toEqual(fromA);
      const modelId = (await a.driftloop.services.models.get(model)).id;
      const byStatus = await db().selectFrom('queue_items').select(['status', (e) => e.fn.countAll().as('n')]).where('model_id', '=', modelId).groupBy('status').execute();
      const count = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
      expect(fromA).toEqual({ pending: count('pending'), leased: count('leased'), labeled: count('labeled') });
      expect(fromA, model).toEqual({ pending: 0, leased: 0, labeled: model === 'shared' ? ROUNDS / 2 : ROUNDS });
    }
  });
});
