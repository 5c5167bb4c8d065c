import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, ingest, outliers, setupModel, stats, UNSURE, type Fixture } from './support.js';

async function queueOutliers(server: TestServer, f: Fixture, n: number, prefix = 'p') {
  const results = await ingest(server, f.model, outliers(f.data, n).map((embedding, i) => ({ id: `${prefix}-${i}`, embedding, scores: UNSURE })));
  expect(results.filter((r) => r.queued)).toHaveLength(n);
}

describe('leases', () => {
  let server: TestServer;
  const clock = new ManualClock();
  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(() => server.stop());

  it('when two labelers claim with labelsPerItem 1, then no item is leased to both, and a repeated claim returns the live leases', async () => {
    const f = await setupModel(server, 'one');
    await queueOutliers(server, f, 5);
    const ann = await claim(server, 'one', 'ann', 3);
    const bob = await claim(server, 'one', 'bob', 3);
    expect(ann).toHaveLength(3);
    expect(bob).toHaveLength(2);
    const annIds = ann.map((i) => i.itemId);
    expect(bob.filter((i) => annIds.includes(i.itemId))).toHaveLength(0);
    expect(await claim(server, 'one', 'carl', 3)).toHaveLength(0);
    const again = await claim(server, 'one', 'ann', 3);
    expect(again.map((i) => i.itemId)).toEqual(annIds);
    expect(Date.parse(again[0]!.leaseExpiresAt)).toBeGreaterThanOrEqual(Date.parse(ann[0]!.leaseExpiresAt));
    const s = await stats(server, 'one');
    expect([s.pending, s.leased]).toEqual([0, 5]);
  });

  it('when labelsPerItem is 2, then each item goes to two distinct labelers and to no third', async () => {
    const f = await setupModel(server, 'two', { queue: { labelsPerItem: 2 } });
    await queueOutliers(server, f, 3);
    const ann = await claim(server, 'two', 'ann', 10);
    const bob = await claim(server, 'two', 'bob', 10);
    expect(ann).toHaveLength(3);
    expect(bob.map((i) => i.itemId).sort()).toEqual(ann.map((i) => i.itemId).sort());
    expect(await claim(server, 'two', 'carl', 10)).toHaveLength(0);
    // Blind: a claim shows the item, never another labeler's answer.
    expect(Object.keys(bob[0]!)).not.toContain('labels');
    expect((await stats(server, 'two')).leased).toBe(3);
  });

  it('when a lease is renewed, then it outlives its first expiry; when it lapses, then the item returns to the queue and renewal is refused', async () => {
    const f = await setupModel(server, 'renew', { queue: { leaseSeconds: 2 } });
    await queueOutliers(server, f, 1);
    const [item] = await claim(server, 'renew', 'ann', 1);
    await clock.advance(1000);
    const renewed = await server.request('POST', `/v1/models/renew/queue/items/${item!.itemId}/renew`, { labeler: 'ann' });
    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.body.leaseExpiresAt)).toBeGreaterThan(Date.parse(item!.leaseExpiresAt));
    await clock.advance(1300);
    // Past the first expiry, but the renewed lease still holds.
    expect(await claim(server, 'renew', 'bob', 1)).toHaveLength(0);
    await clock.advance(Date.parse(renewed.body.leaseExpiresAt) - clock.now().getTime() + 100);
    const [taken] = await claim(server, 'renew', 'bob', 1);
    expect(taken!.itemId).toBe(item!.itemId);
    const refused = await server.request('POST', `/v1/models/renew/queue/items/${item!.itemId}/renew`, { labeler: 'ann' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
  });

  it('when 20 labelers claim concurrently over HTTP, then no item goes to two of them, and expired leases return every item', async () => {
    const f = await setupModel(server, 'crowd', { queue: { leaseSeconds: 1 } });
    await queueOutliers(server, f, 30);
    const claimers = Array.from({ length: 20 }, (_, i) => `labeler-${i}`);
    const round = async (suffix: string) => (await Promise.all(claimers.map((l) => claim(server, 'crowd', l + suffix, 2)))).flat().map((i) => i.itemId);
    const first = await round('');
    expect(first).toHaveLength(30);
    expect(new Set(first).size).toBe(30);
    await clock.advance(1300);
    const second = await round('-later');
    expect(second).toHaveLength(30);
    expect(new Set(second).size).toBe(30);
    expect(new Set(second)).toEqual(new Set(first));
  });

  it('when the typed client claims, renews and reads the queue, then the OpenAPI routes type-check end to end', async () => {
    const f = await setupModel(server, 'typed');
    await queueOutliers(server, f, 2);
    const model = server.client.v1.models[':model'];
    const claimed = await model.queue.claim.$post({ param: { model: 'typed' }, json: { labeler: 'ann', limit: 2 } });
    expect(claimed.status).toBe(200);
    if (claimed.status !== 200) return;
    const { items } = await claimed.json();
    expect(items).toHaveLength(2);
    const renewed = await model.queue.items[':itemId'].renew.$post({ param: { model: 'typed', itemId: items[0]!.itemId }, json: { labeler: 'ann' } });
    expect(renewed.status).toBe(200);
    const labeled = await model.labels.$post({ param: { model: 'typed' }, json: { labels: [{ itemId: items[0]!.itemId, labeler: 'ann', concepts: ['ipa'] }] } });
    expect(labeled.status).toBe(200);
    const summary = await model.queue.$get({ param: { model: 'typed' } });
    if (summary.status !== 200) throw new Error(`status ${summary.status}`);
    expect((await summary.json()).labeled).toBe(1);
    const doc = await server.request('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/models/{model}/queue/claim', '/v1/models/{model}/queue/items/{itemId}/renew', '/v1/models/{model}/queue', '/v1/models/{model}/labels']),
    );
  });

  it('when renewing an item of another model, an unknown item or one of an unknown model, then it answers 404', async () => {
    const f = await setupModel(server, 'other');
    await queueOutliers(server, f, 1);
    const [item] = await claim(server, 'other', 'ann', 1);
    // Model 'one' has no such item (as its similar items would say), rather than 409 "claim again".
    expect((await server.request('POST', `/v1/models/one/queue/items/${item!.itemId}/renew`, { labeler: 'ann' })).status).toBe(404);
    expect((await server.request('POST', `/v1/models/nope/queue/items/1/renew`, { labeler: 'ann' })).status).toBe(404);
    expect((await server.request('POST', `/v1/models/other/queue/items/abc/renew`, { labeler: 'ann' })).status).toBe(400);
  });
});

describe('queue roles', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: 'admin-key-0123456789abcdef' } });
  });
  afterAll(() => server.stop());

  it('when a key lacks the label role, then queue routes answer 403; label and admin keys pass', async () => {
    const admin = 'admin-key-0123456789abcdef';
    await server.request('PUT', '/v1/models/keyed', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] }, admin);
    const { keys } = server.driftloop.services;
    const ingestKey = (await keys.create('ingest', 'app')).key;
    const labelKey = (await keys.create('label', 'ann')).key;
    const body = { labeler: 'ann' };
    expect((await server.request('POST', '/v1/models/keyed/queue/claim', body)).status).toBe(401);
    expect((await server.request('POST', '/v1/models/keyed/queue/claim', body, ingestKey)).status).toBe(403);
    expect((await server.request('GET', '/v1/models/keyed/queue', undefined, ingestKey)).status).toBe(403);
    expect((await server.request('POST', '/v1/models/keyed/labels', { labels: [] }, ingestKey)).status).toBe(403);
    expect((await server.request('POST', '/v1/models/keyed/queue/claim', body, labelKey)).status).toBe(200);
    expect((await server.request('POST', '/v1/models/keyed/queue/claim', body, admin)).status).toBe(200);
  });
});
