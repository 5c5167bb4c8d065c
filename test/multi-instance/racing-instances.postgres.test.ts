import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeVector } from '../../src/util/vectors.js';
import { CONCEPT_IDS, CONCEPTS, outliers, UNSURE } from '../queue/support.js';
import { ClusteredData } from '../support/clustered-data.js';
import { Dice } from '../support/fuzz.js';
import { startTwoInstances, type TestServer, type TwoInstances } from '../support/server.js';
import { waitForJob } from '../support/training-fixtures.js';

/**
 * The fuzz's concurrent part on two instances of one PostgreSQL database: requests racing on the
 * same ids go out at once, alternating between the instances. The same invariants as on one
 * instance hold (never a 5xx, one winner whose body is stored whole, labels within an item's
 * slots, a PUT and an upload never both applied), and afterwards both instances answer the
 * same counts and queue state.
 *
 * DRIFTLOOP_FUZZ_SEEDS="1,2,3" and DRIFTLOOP_FUZZ_REQUESTS=200 run a longer search by hand.
 */
const SEEDS = (process.env.DRIFTLOOP_FUZZ_SEEDS ?? '20261201').split(',').map(Number);
const ROUNDS = Number(process.env.DRIFTLOOP_FUZZ_REQUESTS ?? 150);
const ADMIN = 'two-instances-admin-key-0123456789';

interface Answer {
  status: number;
  body: any;
}

type Race = 'prediction' | 'example' | 'claim' | 'label' | 'claim-label' | 'retract' | 'settings' | 'definition' | 'promote' | 'batch';
const RACES: readonly Race[] = ['prediction', 'example', 'claim', 'label', 'claim-label', 'retract', 'settings', 'definition', 'promote', 'batch'];

describe.each(SEEDS)('two instances on one PostgreSQL database, racing, seed %i', (seed) => {
  let a: TestServer;
  let b: TestServer;
  let labelKeys: Record<string, string> = {};
  const data = new ClusteredData({ dim: 16, clusters: 3, spread: 0.25, seed: 7 });
  const db = () => a.driftloop.services.database.db;
  const modelId = async (name: string) => (await a.driftloop.services.models.get(name)).id;

  let instances: TwoInstances | undefined;

  beforeAll(async () => {
    instances = await startTwoInstances({
      env: { DRIFTLOOP_ADMIN_KEY: ADMIN },
      beforeB: async (a) => {
        expect((await a.request('PUT', '/v1/models/m', { task: 'multiclass', embeddingDim: 16, concepts: CONCEPTS, settings: { queue: { maxLeases: 100 } } }, ADMIN)).status).toBe(201);
        const examples = Array.from({ length: 240 }, (_, i) => ({ id: `ex-${i}`, embedding: data.point(i % 3), concepts: [CONCEPT_IDS[i % 3]!], split: i % 5 ? 'train' : 'eval' }));
        expect((await a.request('POST', '/v1/models/m/examples', { examples }, ADMIN)).status).toBe(200);
        for (const name of ['ann', 'bob', 'cy']) labelKeys[name] = (await a.driftloop.services.keys.create('label', name)).key;
      },
    });
    ({ a, b } = instances);
    // Three versions for promotions to race on.
    for (let i = 0; i < 3; i++) {
      const queued = await a.request('POST', '/v1/models/m/retrain', undefined, ADMIN);
      expect(queued.status).toBe(202);
      expect((await waitForJob({ ...a, request: (m, p, body) => a.request(m, p, body, ADMIN) }, queued.body.jobId)).status).toBe('succeeded');
    }
  });
  afterAll(() => instances?.stop());

  it(`when ${ROUNDS} races go out at once, alternating between the instances, then each has one consistent outcome and both instances agree afterwards`, async () => {
    const dice = new Dice(seed);
    const tally: Record<string, number> = {};
    let serial = 0;
    /** Sends the requests at once, the first to A, the second to B, and so on. */
    const race = async (requests: { method: string; path: string; body: unknown; key?: string }[], context: string): Promise<Answer[]> => {
      const answers = await Promise.all(requests.map((r, i) => (i % 2 ? b : a).request(r.method, r.path, r.body, r.key ?? ADMIN)));
      for (const x of answers) {
        tally[x.status] = (tally[x.status] ?? 0) + 1;
        expect(x.status, `${context}: ${JSON.stringify(x.body).slice(0, 300)}`).toBeLessThan(500);
        if (x.status >= 400) expect(x.body.error, context).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      }
      return answers;
    };
    const pendingItems = async (n: number) =>
      (await db().selectFrom('queue_items').select('id').where('model_id', '=', await modelId('m')).where('status', '=', 'pending').orderBy('id', 'desc').limit(n).execute()).map((r) => String(r.id));
    const ingest = async (n: number) => {
      const predictions = outliers(data, n).map((embedding) => ({ id: `fill-${seed}-${serial++}`, embedding, scores: UNSURE }));
      expect((await a.request('POST', '/v1/models/m/predictions', { predictions }, ADMIN)).status).toBe(200);
    };

    for (let round = 0; round < ROUNDS; round++) {
      const kind = dice.pick(RACES);
      const copies = dice.pick([2, 2, 3, 4]);
      const context = `seed ${seed} round ${round}: ${kind} x${copies}`;
      if (kind === 'prediction') {
        const id = `same-${seed}-${round}`;
        const bodies = outliers(data, copies).map((embedding, i) => ({ id, embedding, scores: i % 2 ? UNSURE : { lager: 0.2, stout: 0.3, ipa: 0.5 }, metadata: { sender: i } }));
        const answers = await race(bodies.map((p) => ({ method: 'POST', path: '/v1/models/m/predictions', body: { predictions: [p] } })), context);
        expect(answers.map((x) => x.status), context).toEqual(bodies.map(() => 200));
        const winners = answers.flatMap((x, i) => (x.body.results[0].duplicate ? [] : [i]));
        expect(winners, context).toHaveLength(1);
        const row = await db().selectFrom('predictions').select(['embedding', 'metadata_json', 'priority']).where('model_id', '=', await modelId('m')).where('id', '=', id).executeTakeFirstOrThrow();
        expect(JSON.parse(row.metadata_json!), context).toEqual({ sender: winners[0] });
        expect(Array.from(decodeVector(row.embedding)), context).toEqual(Array.from(Float32Array.from(bodies[winners[0]!]!.embedding)));
        for (const x of answers) expect(x.body.results[0].priority, context).toBe(row.priority);
      } else if (kind === 'example') {
        const id = `ex-same-${seed}-${round}`;
        const bodies = Array.from({ length: copies }, (_, i) => ({ id, embedding: data.point(i % 3), concepts: [CONCEPT_IDS[i % 3]!], split: i % 2 ? 'eval' : 'train', metadata: { sender: i } }));
        const answers = await race(bodies.map((e) => ({ method: 'POST', path: '/v1/models/m/examples', body: { examples: [e] } })), context);
        expect(answers.reduce((n, x) => n + (x.body.inserted as number), 0), context).toBe(1);
        const rows = await db().selectFrom('examples').select(['concepts_json', 'split', 'metadata_json']).where('model_id', '=', await modelId('m')).where('id', '=', id).execute();
        expect(rows, context).toHaveLength(1);
        const sender = JSON.parse(rows[0]!.metadata_json!).sender as number;
        expect({ concepts: JSON.parse(rows[0]!.concepts_json), split: rows[0]!.split }, context).toEqual({ concepts: bodies[sender]!.concepts, split: bodies[sender]!.split });
      } else if (kind === 'claim') {
        await ingest(6);
        const labelers = ['ann', 'bob', 'cy', 'ann'].slice(0, copies);
        const answers = await race(labelers.map((labeler) => ({ method: 'POST', path: '/v1/models/m/queue/claim', body: { labeler, limit: 3 }, key: labelKeys[labeler] })), context);
        // With one label per item, no item is leased to two labelers.
        const byItem = new Map<string, Set<string>>();
        answers.forEach((x, i) => x.status === 200 && x.body.items.forEach((it: { itemId: string }) => byItem.set(it.itemId, (byItem.get(it.itemId) ?? new Set()).add(labelers[i]!))));
        for (const [itemId, who] of byItem) expect(who.size, `${context}: item ${itemId} leased to ${[...who]}`).toBe(1);
      } else if (kind === 'label') {
        await ingest(2);
        const [itemId] = await pendingItems(1);
        const labelers = ['ann', 'bob', 'cy', 'bob'].slice(0, copies);
        const answers = await race(labelers.map((labeler, i) => ({ method: 'POST', path: '/v1/models/m/labels', body: { labels: [{ itemId, labeler, concepts: [CONCEPT_IDS[i % 3]!] }] }, key: labelKeys[labeler] })), context);
        const item = await db().selectFrom('queue_items').select(['labels_count', 'labels_needed']).where('id', '=', Number(itemId)).executeTakeFirstOrThrow();
        const rows = await db().selectFrom('queue_labels').select('labeler').where('item_id', '=', Number(itemId)).execute();
        expect({ count: item.labels_count, rows: rows.length }, context).toEqual({ count: item.labels_needed, rows: item.labels_needed });
        expect(answers.filter((x) => x.status === 200 && x.body.accepted === 1).length, context).toBe(item.labels_needed);
      } else if (kind === 'claim-label') {
        // One labeler claims while another labels the newest pending item without a claim: one slot, one of them.
        await ingest(2);
        const [itemId] = await pendingItems(1);
        const [claimed, labeled] = await race(
          [
            { method: 'POST', path: '/v1/models/m/queue/claim', body: { labeler: 'ann', limit: 2 }, key: labelKeys.ann },
            { method: 'POST', path: '/v1/models/m/labels', body: { labels: [{ itemId, labeler: 'bob', concepts: ['stout'] }] }, key: labelKeys.bob },
          ],
          context,
        );
        const item = await db().selectFrom('queue_items').select(['labels_count', 'leases_count', 'labels_needed']).where('id', '=', Number(itemId)).executeTakeFirstOrThrow();
        expect(item.labels_count + item.leases_count, context).toBeLessThanOrEqual(item.labels_needed);
        const gotIt = claimed!.status === 200 && claimed!.body.items.some((it: { itemId: string }) => it.itemId === itemId);
        expect({ claimed: gotIt, labeled: labeled!.status === 200 }, `${context}: item ${itemId}`).toEqual(gotIt ? { claimed: true, labeled: false } : { claimed: false, labeled: true });
        // ann gives her leases back, so later rounds find pending items.
        if (claimed!.status === 200) for (const it of claimed!.body.items as { itemId: string }[]) expect((await a.request('POST', '/v1/models/m/labels', { labels: [{ itemId: it.itemId, labeler: 'ann', concepts: [], skip: true }] }, labelKeys.ann)).status).toBe(200);
      } else if (kind === 'promote') {
        const mId = await modelId('m');
        const versions = await db().selectFrom('model_versions').select(['version', 'status']).where('model_id', '=', mId).orderBy('version').execute();
        const pair = versions.filter((v) => v.status !== 'champion').slice(0, 2).map((v) => v.version);
        const answers = await race(pair.map((v) => ({ method: 'POST', path: `/v1/models/m/versions/${v}/promote`, body: undefined })), context);
        expect(answers.map((x) => x.status), context).toEqual(pair.map(() => 200));
        const champions = await db().selectFrom('model_versions').select('version').where('model_id', '=', mId).where('status', '=', 'champion').execute();
        expect(champions.map((c) => c.version), `${context}: promoted ${pair} at once`).toHaveLength(1);
      } else if (kind === 'retract') {
        await ingest(2);
        const [itemId] = await pendingItems(1);
        const label = { method: 'POST', path: '/v1/models/m/labels', body: { labels: [{ itemId, labeler: 'cy', concepts: ['lager'], bulk: true }] }, key: labelKeys.cy };
        const retract = { method: 'POST', path: '/v1/models/m/labels/retract', body: { labeler: 'cy', itemIds: [itemId] }, key: labelKeys.cy };
        const [labeled, retracted] = dice.chance(0.5) ? await race([label, retract], context) : (await race([retract, label], context)).reverse();
        expect([labeled!.status, retracted!.status], context).toEqual([200, 200]);
        const item = await db().selectFrom('queue_items').select(['labels_count', 'status']).where('id', '=', Number(itemId)).executeTakeFirstOrThrow();
        const rows = await db().selectFrom('queue_labels').select('labeler').where('item_id', '=', Number(itemId)).execute();
        expect({ count: item.labels_count, status: item.status }, context).toEqual(retracted!.body.retracted === 1 ? { count: 0, status: 'pending' } : { count: 1, status: 'labeled' });
        expect(rows.length, context).toBe(item.labels_count);
      } else if (kind === 'settings') {
        const patches = [{ drift: { threshold: 0.2 + round / 1000 } }, { queue: { leaseSeconds: 300 + round } }, { retrain: { minNewLabels: 100 + round } }, { drift: { alpha: 0.01 + round / 100_000 } }].slice(0, copies);
        const answers = await race(patches.map((settings) => ({ method: 'PUT', path: '/v1/models/m', body: { task: 'multiclass', embeddingDim: 16, concepts: CONCEPTS, settings } })), context);
        expect(answers.map((x) => x.status), context).toEqual(patches.map(() => 200));
        const stored = (await a.driftloop.services.models.current(db(), await modelId('m')))!.settings;
        const applied = [stored.drift.threshold === 0.2 + round / 1000, stored.queue.leaseSeconds === 300 + round, stored.retrain.minNewLabels === 100 + round, stored.drift.alpha === 0.01 + round / 100_000];
        expect(applied.slice(0, copies), context).toEqual(patches.map(() => true));
      } else if (kind === 'definition') {
        const name = `fresh-${seed}-${round}`;
        expect((await a.request('PUT', `/v1/models/${name}`, { task: 'multiclass', embeddingDim: 4, concepts: [{ id: 'a' }, { id: 'b' }] }, ADMIN)).status).toBe(201);
        const change = dice.chance(0.5) ? { task: 'multiclass', embeddingDim: 8, concepts: [{ id: 'a' }, { id: 'b' }] } : { task: 'multiclass', embeddingDim: 4, concepts: [{ id: 'a' }] };
        const examples = [0, 1, 2, 3].map((i) => ({ id: `e-${i}`, embedding: [1, i, 0, 1], concepts: [i % 2 ? 'b' : 'a'] }));
        const requests = [{ method: 'PUT', path: `/v1/models/${name}`, body: change }, { method: 'POST', path: `/v1/models/${name}/examples`, body: { examples } }];
        const answers = dice.chance(0.5) ? await race(requests, context) : (await race([requests[1]!, requests[0]!], context)).reverse();
        expect(answers.filter((x) => x.status === 200), `${context}: ${answers.map((x) => x.status)}`).toHaveLength(1);
        // As stored: the instance that did not take the PUT serves its cached copy until its next poll.
        const model = (await a.driftloop.services.models.current(db(), await modelId(name)))!;
        const counts = (await a.request('GET', `/v1/models/${name}`, undefined, ADMIN)).body.counts;
        const stored = counts.examples.train + counts.examples.eval;
        expect({ stored, dim: model.embeddingDim, concepts: model.concepts.length }, context).toEqual(answers[0]!.status === 200 ? { stored: 0, dim: change.embeddingDim, concepts: change.concepts.length } : { stored: 4, dim: 4, concepts: 2 });
      } else {
        // The same batch several times at once: every id is stored once.
        const predictions = outliers(data, 5).map((embedding) => ({ id: `batch-${seed}-${serial++}`, embedding, scores: UNSURE }));
        const answers = await race(Array.from({ length: copies }, () => ({ method: 'POST', path: '/v1/models/m/predictions', body: { predictions } })), context);
        expect(answers.reduce((n, x) => n + (x.body.accepted as number), 0), context).toBe(5);
      }
    }

    // Both instances read one database: the same counts and the same queue.
    const view = async (s: TestServer) => {
      const model = (await s.request('GET', '/v1/models/m', undefined, ADMIN)).body;
      const { pending, leased, labeled, labelers } = (await s.request('GET', '/v1/models/m/queue', undefined, ADMIN)).body;
      return { counts: model.counts, queue: { pending, leased, labeled, labelers } };
    };
    const [fromA, fromB] = [await view(a), await view(b)];
    expect(fromB).toEqual(fromA);
    const byStatus = await db().selectFrom('queue_items').select(['status', (e) => e.fn.countAll().as('n')]).where('model_id', '=', await modelId('m')).groupBy('status').execute();
    const count = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
    expect({ pending: fromA.queue.pending, leased: fromA.queue.leased, labeled: fromA.queue.labeled }).toEqual({ pending: count('pending'), leased: count('leased'), labeled: count('labeled') });
    for (const s of [a, b]) expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    console.info(`two-instance races seed ${seed}: ${ROUNDS} rounds, statuses ${JSON.stringify(tally)}`);
  });
});
