import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { outliers, setupModel, UNSURE } from '../queue/support.js';

const ADMIN = 'bootstrap-admin-key-0123456789';

describe('labeler identity', () => {
  let server: TestServer;
  let ann: string;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    ann = (await server.driftloop.services.keys.create('label', 'ann')).key;
    const asAdmin = { ...server, request: (m: string, p: string, b?: unknown) => server.request(m, p, b, ADMIN) } as TestServer;
    const f = await setupModel(asAdmin, 'm', { queue: { maxLeases: 5 } });
    const predictions = outliers(f.data, 12).map((embedding, i) => ({ id: `p-${i}`, embedding, scores: UNSURE }));
    expect((await server.request('POST', '/v1/models/m/predictions', { predictions }, ADMIN)).status).toBe(200);
  });
  afterAll(() => server.stop());

  it('when a label key claims, renews or labels as someone else, then it is refused with 403', async () => {
    for (const name of ['bob', 'Ann', 'ann ']) {
      const res = await server.request('POST', '/v1/models/m/queue/claim', { labeler: name, limit: 1 }, ann);
      if (name === 'ann ') continue; // trimmed to 'ann' by the schema: the same labeler
      expect(res.status, name).toBe(403);
    }
    const mine = await server.request('POST', '/v1/models/m/queue/claim', { labeler: 'ann', limit: 1 }, ann);
    expect(mine.status).toBe(200);
    const itemId = mine.body.items[0].itemId;
    expect((await server.request('POST', `/v1/models/m/queue/items/${itemId}/renew`, { labeler: 'bob' }, ann)).status).toBe(403);
    const forged = await server.request('POST', '/v1/models/m/labels', { labels: [{ itemId, labeler: 'ann', concepts: ['lager'] }, { itemId, labeler: 'bob', concepts: ['lager'] }] }, ann);
    expect(forged.status).toBe(403);
    const stats = await server.request('GET', '/v1/models/m/queue', undefined, ADMIN);
    expect(stats.body.labeled).toBe(0);
  });

  it('when an admin names a labeler, then it may', async () => {
    const res = await server.request('POST', '/v1/models/m/queue/claim', { labeler: 'carl', limit: 1 }, ADMIN);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
  });

  it('when a labeler asks for more than queue.maxLeases, then it holds at most that many', async () => {
    const first = await server.request('POST', '/v1/models/m/queue/claim', { labeler: 'ann', limit: 100 }, ann);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(5);
    const again = await server.request('POST', '/v1/models/m/queue/claim', { labeler: 'ann', limit: 100 }, ann);
    expect(again.body.items).toHaveLength(5);
    const stats = await server.request('GET', '/v1/models/m/queue', undefined, ADMIN);
    expect(stats.body.leased).toBe(6); // ann's 5 and carl's 1
  });

  it('when no maxLeases is set, then the default of 50 is in force', async () => {
    const res = await server.request('GET', '/v1/models/m', undefined, ADMIN);
    expect(res.body.settings.queue.maxLeases).toBe(5);
    const put = await server.request('PUT', '/v1/models/n', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }] }, ADMIN);
    expect(put.body.settings.queue.maxLeases).toBe(50);
  });
});
