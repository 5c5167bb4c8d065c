import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { labeledProduction, outliers, setupModel, UNSURE } from '../queue/support.js';

const ADMIN = 'bootstrap-admin-key-0123456789';

/**
 * One label key must not be able to change what another labeler's label means. Found by the
 * security review of 2026-12-04: a bulk out-of-scope label, retracted, left its out-of-scope count
 * on the item, so the next labeler's concept label made the item `out_of_scope` and training
 * (and the production eval split) never saw it.
 */
describe('labels one label key cannot poison', () => {
  let server: TestServer;
  let mallory: string;
  let ann: string;
  const asKey = (key: string) => (method: string, path: string, body?: unknown) => server.request(method, path, body, key);

  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    mallory = (await server.driftloop.services.keys.create('label', 'mallory')).key;
    ann = (await server.driftloop.services.keys.create('label', 'ann')).key;
    const asAdmin = { ...server, request: (m: string, p: string, b?: unknown) => server.request(m, p, b, ADMIN) } as TestServer;
    const f = await setupModel(asAdmin, 'm');
    const predictions = outliers(f.data, 8).map((embedding, i) => ({ id: `p-${i}`, embedding, scores: UNSURE }));
    expect((await server.request('POST', '/v1/models/m/predictions', { predictions }, ADMIN)).status).toBe(200);
  });
  afterAll(() => server.stop());

  it('when a label key marks pending items out of scope in bulk and retracts it, then another labeler’s label of them still counts as a label', async () => {
    // Mallory claims the queue (any label key may), to learn its item ids.
    const claimedByMallory = await asKey(mallory)('POST', '/v1/models/m/queue/claim', { labeler: 'mallory', limit: 100 });
    const itemIds = (claimedByMallory.body.items as { itemId: string }[]).map((i) => i.itemId);
    expect(itemIds.length).toBeGreaterThan(0);
    // Mallory: a bulk out-of-scope label on each, then the labeling page's undo, which gives the items back to the queue.
    const marked = await asKey(mallory)('POST', '/v1/models/m/labels', { labels: itemIds.map((itemId) => ({ itemId, labeler: 'mallory', concepts: [], outOfScope: true, bulk: true })) });
    expect(marked.status).toBe(200);
    const undone = await asKey(mallory)('POST', '/v1/models/m/labels/retract', { labeler: 'mallory', itemIds });
    expect(undone.body.retracted).toBe(itemIds.length);
    const after = (await asKey(ADMIN)('GET', '/v1/models/m/queue')).body;
    expect(after.outOfScope).toBe(0);

    // Ann, on her own, claims one of them and labels it as a concept.
    const claimed = await asKey(ann)('POST', '/v1/models/m/queue/claim', { labeler: 'ann', limit: 1 });
    const itemId = claimed.body.items[0].itemId as string;
    expect(itemIds).toContain(itemId);
    expect((await asKey(ann)('POST', '/v1/models/m/labels', { labels: [{ itemId, labeler: 'ann', concepts: ['lager'] }] })).status).toBe(200);

    const stats = (await asKey(ADMIN)('GET', '/v1/models/m/queue')).body;
    expect({ labeled: stats.labeled, outOfScope: stats.outOfScope }).toEqual({ labeled: 1, outOfScope: 0 });
    // And training sees Ann's label.
    expect((await labeledProduction(server, 'm')).map((i) => i.concepts)).toEqual([['lager']]);
  });
});
