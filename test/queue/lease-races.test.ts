import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, ingest, outliers, setupModel, UNSURE, type Fixture } from './support.js';

/**
 * Leases at the moment they expire, on an injected clock: a renewal, a late label and another
 * labeler's claim sent at once while the clock crosses the lease's expiry. Whichever reads the
 * clock first and whichever commits first, an item is never held past its slots, a renewal that
 * answers 200 holds the lease it names, and nothing answers a 5xx.
 */
const ROUNDS = 16;
const LEASE_SECONDS = 60;

interface Answer {
  status: number;
  body: any;
}

/** Lets `n` turns of the event loop pass (requests in flight get that far), then returns. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('leases racing their expiry', () => {
  let server: TestServer;
  const clock = new ManualClock();
  const fixtures: Record<string, Fixture> = {};
  let serial = 0;
  const db = () => server.driftloop.services.database.db;
  const post = (path: string, body: unknown): Promise<Answer> => server.request('POST', path, body);
  const renew = (model: string, itemId: string, labeler: string) => post(`/v1/models/${model}/queue/items/${itemId}/renew`, { labeler });
  const labelOne = (model: string, itemId: string, labeler: string, concept = 'lager') => post(`/v1/models/${model}/labels`, { labels: [{ itemId, labeler, concepts: [concept] }] });

  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(() => server?.stop());

  /** A new model for one test (so a failure leaves nothing behind for the next): `one` item slot, or `two`. */
  async function newModel(slots: 'one' | 'two'): Promise<string> {
    const name = `${slots}-${Object.keys(fixtures).length}`;
    fixtures[name] = await setupModel(server, name, { queue: { leaseSeconds: LEASE_SECONDS, labelsPerItem: slots === 'one' ? 1 : 2 } }, 7 + Object.keys(fixtures).length);
    return name;
  }

  /** Queues one new item in `model` and returns its id; the model has no other pending item. */
  async function oneItem(model: string): Promise<string> {
    const [result] = await ingest(server, model, outliers(fixtures[model]!.data, 1).map((embedding) => ({ id: `p-${serial++}`, embedding, scores: UNSURE })));
    expect(result!.queued).toBe(true);
    const modelId = (await server.driftloop.services.models.get(model)).id;
    const pending = await db().selectFrom('queue_items').select('id').where('model_id', '=', modelId).where('status', '=', 'pending').execute();
    expect(pending).toHaveLength(1);
    return String(pending[0]!.id);
  }

  /** The item's counts and status, its leases and its labels, as stored. */
  async function stored(itemId: string) {
    const id = Number(itemId);
    const item = await db().selectFrom('queue_items').select(['status', 'labels_count', 'leases_count', 'labels_needed']).where('id', '=', id).executeTakeFirstOrThrow();
    const leases = await db().selectFrom('queue_leases').select(['labeler', 'expires_at']).where('item_id', '=', id).orderBy('labeler').execute();
    const labels = await db().selectFrom('queue_labels').select(['labeler', 'claimed']).where('item_id', '=', id).orderBy('labeler').execute();
    return { ...item, leases, labels };
  }

  /** Moves the clock to `ms` before the instant `at`. */
  async function clockTo(at: string, ms: number): Promise<void> {
    await clock.advance(Date.parse(at) - ms - clock.now().getTime());
  }

  /** Sends the requests at once; after `wait` turns of the event loop the clock moves 2 ms on, past a lease expiring 1 ms from now. */
  async function acrossExpiry(requests: (() => Promise<Answer>)[], wait: number, context: string): Promise<Answer[]> {
    const sent = requests.map((r) => r());
    await turns(wait);
    await clock.advance(2);
    const answers = await Promise.all(sent);
    for (const a of answers) expect(a.status, `${context}: ${JSON.stringify(a.body).slice(0, 300)}`).toBeLessThan(500);
    return answers;
  }

  it('when a renewal races its lease expiring and another labeler claiming, then at most one of them holds the item and a renewal that answers 200 holds it', async () => {
    const one = await newModel('one');
    const outcomes = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const itemId = await oneItem(one);
      const [held] = await claim(server, one, 'ann', 1);
      expect(held!.itemId).toBe(itemId);
      await clockTo(held!.leaseExpiresAt, 1);
      const requests = [() => renew(one, itemId, 'ann'), () => post(`/v1/models/${one}/queue/claim`, { labeler: 'bob', limit: 1 })];
      const context = `round ${round}`;
      const [renewed, claimed] = round % 2 ? await acrossExpiry(requests, round % 8, context) : (await acrossExpiry([requests[1]!, requests[0]!], round % 8, context)).reverse();
      expect(claimed!.status, context).toBe(200);
      expect([200, 409], `${context}: renew ${JSON.stringify(renewed!.body)}`).toContain(renewed!.status);
      const item = await stored(itemId);
      const bobGot = (claimed!.body.items as { itemId: string }[]).some((i) => i.itemId === itemId);
      const context2 = `${context}: renew ${renewed!.status}, bob got it ${bobGot}, item ${JSON.stringify(item)}`;
      expect(item.leases.length, context2).toBeLessThanOrEqual(1);
      expect({ leases: item.leases_count, labels: item.labels_count }, context2).toEqual({ leases: item.leases.length, labels: 0 });
      const holder = item.leases[0]?.labeler;
      expect(renewed!.status === 200, context2).toBe(holder === 'ann');
      expect(bobGot, context2).toBe(holder === 'bob');
      if (renewed!.status === 200) expect(item.leases[0]!.expires_at, context2).toBe(renewed!.body.leaseExpiresAt);
      if (!holder) {
        // The renewal came after the expiry and the claim before it: the item waits for the next claim.
        expect(item.status, context2).toBe('pending');
        expect((await claim(server, one, 'bob', 1)).map((i) => i.itemId), context2).toEqual([itemId]);
      } else expect(item.status, context2).toBe('leased');
      outcomes.add(holder ?? 'nobody');
      const labeled = await labelOne(one, itemId, holder ?? 'bob');
      expect(labeled.status, context2).toBe(200);
    }
    console.info(`renew against expiry and a claim: holders seen ${[...outcomes].join(', ')}`);
  });

  it('when a labeler labels after their lease expired and the item went to another labeler, then the label is refused with 409 and the new holder labels it', async () => {
    for (const slots of ['one', 'two'] as const) {
      const model = await newModel(slots);
      const itemId = await oneItem(model);
      const [held] = await claim(server, model, 'ann', 1);
      expect(held!.itemId).toBe(itemId);
      if (slots === 'two') {
        // bob's lease outlives ann's.
        await clock.advance(LEASE_SECONDS * 500);
        expect((await claim(server, model, 'bob', 1)).map((i) => i.itemId)).toEqual([itemId]);
      }
      await clockTo(held!.leaseExpiresAt, -1);
      // bob's (with two slots cy's) claim gives ann's expired lease back and takes the slot.
      const next = slots === 'one' ? 'bob' : 'cy';
      expect((await claim(server, model, next, 1)).map((i) => i.itemId)).toEqual([itemId]);
      const late = await labelOne(model, itemId, 'ann');
      expect({ status: late.status, code: late.body.error?.code }).toEqual({ status: 409, code: 'conflict' });
      const after = await stored(itemId);
      expect({ labels: after.labels, leases: after.leases.map((l) => l.labeler), status: after.status }).toEqual({
        labels: [],
        leases: slots === 'one' ? ['bob'] : ['bob', 'cy'],
        status: 'leased',
      });
      for (const labeler of slots === 'one' ? ['bob'] : ['bob', 'cy']) expect((await labelOne(model, itemId, labeler, 'stout')).body.accepted).toBe(1);
      const done = await stored(itemId);
      expect({ status: done.status, labels: done.labels.map((l) => [l.labeler, l.claimed]), leases: done.leases_count }).toEqual({
        status: 'labeled',
        labels: slots === 'one' ? [['bob', 1]] : [['bob', 1], ['cy', 1]],
        leases: 0,
      });
    }
  });

  it('when a labeler labels after their lease expired and nobody took the slot, then the label is taken as one without a claim', async () => {
    const one = await newModel('one');
    const itemId = await oneItem(one);
    const [held] = await claim(server, one, 'ann', 1);
    await clockTo(held!.leaseExpiresAt, -1);
    expect((await labelOne(one, itemId, 'ann')).body).toEqual({ accepted: 1, duplicates: 0 });
    const after = await stored(itemId);
    expect({ status: after.status, labels: after.labels.map((l) => [l.labeler, l.claimed]), leases: after.leases.length, leasesCount: after.leases_count }).toEqual({
      status: 'labeled',
      labels: [['ann', 0]],
      leases: 0,
      leasesCount: 0,
    });
  });

  it('when a late label races another labeler claiming across the expiry, then the one slot goes to exactly one of them', async () => {
    const one = await newModel('one');
    const outcomes = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const itemId = await oneItem(one);
      const [held] = await claim(server, one, 'ann', 1);
      await clockTo(held!.leaseExpiresAt, 1);
      const requests = [() => labelOne(one, itemId, 'ann'), () => post(`/v1/models/${one}/queue/claim`, { labeler: 'bob', limit: 1 })];
      const context = `round ${round}`;
      const [labeled, claimed] = round % 2 ? await acrossExpiry(requests, round % 8, context) : (await acrossExpiry([requests[1]!, requests[0]!], round % 8, context)).reverse();
      const item = await stored(itemId);
      const bobGot = (claimed!.body.items as { itemId: string }[]).some((i) => i.itemId === itemId);
      const context2 = `${context}: label ${labeled!.status} ${JSON.stringify(labeled!.body)}, bob got it ${bobGot}, item ${JSON.stringify(item)}`;
      expect(claimed!.status, context2).toBe(200);
      expect(item.labels_count + item.leases_count, context2).toBe(1);
      expect({ labels: item.labels.length, leases: item.leases.length }, context2).toEqual({ labels: item.labels_count, leases: item.leases_count });
      if (labeled!.status === 200) {
        expect({ accepted: labeled!.body.accepted, bobGot, status: item.status }, context2).toEqual({ accepted: 1, bobGot: false, status: 'labeled' });
        outcomes.add(item.labels[0]!.claimed ? 'ann with her lease' : 'ann without a lease');
      } else {
        expect({ label: labeled!.status, bobGot, holder: item.leases[0]?.labeler }, context2).toEqual({ label: 409, bobGot: true, holder: 'bob' });
        expect((await labelOne(one, itemId, 'bob')).status, context2).toBe(200);
        outcomes.add('bob');
      }
    }
    console.info(`late label against a claim: outcomes seen ${[...outcomes].join(', ')}`);
  });

  it('when a labeler renews an item that was labeled meanwhile, then the renewal answers 409 and changes nothing', async () => {
    const one = await newModel('one');
    const two = await newModel('two');
    // Labeled by the holder (another tab of the labeling page).
    const own = await oneItem(one);
    await claim(server, one, 'ann', 1);
    expect((await labelOne(one, own, 'ann')).body.accepted).toBe(1);
    const refused = await renew(one, own, 'ann');
    expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 409, code: 'conflict' });
    expect(await stored(own)).toMatchObject({ status: 'labeled', leases: [], leases_count: 0, labels_count: 1 });

    // Labeled by whoever took it after the lease expired.
    const taken = await oneItem(one);
    const [held] = await claim(server, one, 'ann', 1);
    await clockTo(held!.leaseExpiresAt, 0);
    expect((await claim(server, one, 'bob', 1)).map((i) => i.itemId)).toEqual([taken]);
    expect((await labelOne(one, taken, 'bob')).body.accepted).toBe(1);
    expect((await renew(one, taken, 'ann')).status).toBe(409);
    expect(await stored(taken)).toMatchObject({ status: 'labeled', leases: [], leases_count: 0, labels_count: 1 });

    // With two slots, another labeler's label leaves ann's lease live: it renews.
    const shared = await oneItem(two);
    await claim(server, two, 'ann', 1);
    await claim(server, two, 'bob', 1);
    expect((await labelOne(two, shared, 'bob')).body.accepted).toBe(1);
    const kept = await renew(two, shared, 'ann');
    expect(kept.status).toBe(200);
    expect((await stored(shared)).leases).toEqual([{ labeler: 'ann', expires_at: kept.body.leaseExpiresAt }]);
    expect((await labelOne(two, shared, 'ann', 'stout')).body.accepted).toBe(1);
    expect((await renew(two, shared, 'ann')).status).toBe(409);
    expect(await stored(shared)).toMatchObject({ status: 'labeled', leases: [], leases_count: 0, labels_count: 2 });
  });

  it('when a labeler renews and labels one item at once, then the item ends labeled with no lease left, whichever ran first', async () => {
    const one = await newModel('one');
    for (let round = 0; round < ROUNDS / 2; round++) {
      const itemId = await oneItem(one);
      await claim(server, one, 'ann', 1);
      const requests = [() => renew(one, itemId, 'ann'), () => labelOne(one, itemId, 'ann')];
      const [renewed, labeled] = round % 2 ? await Promise.all(requests.map((r) => r())) : (await Promise.all([requests[1]!(), requests[0]!()])).reverse();
      const context = `round ${round}: renew ${renewed!.status}, label ${labeled!.status} ${JSON.stringify(labeled!.body)}`;
      expect([200, 409], context).toContain(renewed!.status);
      expect(labeled!.body, context).toEqual({ accepted: 1, duplicates: 0 });
      expect(await stored(itemId), context).toMatchObject({ status: 'labeled', leases: [], leases_count: 0, labels_count: 1, labels: [{ labeler: 'ann', claimed: 1 }] });
    }
  });
});
