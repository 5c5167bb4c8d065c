import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNSURE, claim, ingest, label, setupModel, stats, type Fixture } from '../queue/support.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('bulk labels and labeler agreement', () => {
  let server: TestServer;
  let fx: Fixture;

  beforeAll(async () => {
    server = await startTestServer();
    fx = await setupModel(server, 'pair', { queue: { labelsPerItem: 2 } });
    await ingest(server, 'pair', [0, 1].map((i) => ({ id: `u-${i}`, embedding: fx.data.point(i), scores: UNSURE })));
  }, 60_000);
  afterAll(() => server.stop());

  it('when a second labeler only confirms an item in bulk, then agreement does not count it; a reviewed second label does', async () => {
    const [a, b] = await claim(server, 'pair', 'ann', 2);
    expect((await label(server, 'pair', [{ itemId: a!.itemId, labeler: 'ann', concepts: ['lager'] }, { itemId: b!.itemId, labeler: 'ann', concepts: ['stout'] }])).status).toBe(200);
    expect((await label(server, 'pair', [{ itemId: a!.itemId, labeler: 'bob', concepts: ['ipa'], bulk: true }])).status).toBe(200);
    expect((await stats(server, 'pair')).agreement).toBeUndefined();
    expect((await label(server, 'pair', [{ itemId: b!.itemId, labeler: 'cy', concepts: ['stout'] }])).status).toBe(200);
    expect((await stats(server, 'pair')).agreement).toMatchObject({ items: 1, labelers: 2 });
  });

  it('when items are labeled only in bulk, then the accuracy estimate reads none of them, as labeled accuracy does', async () => {
    fx = await setupModel(server, 'estimate');
    await ingest(server, 'estimate', [0, 1, 2].map((i) => ({ id: `e-${i}`, embedding: fx.data.point(i), scores: UNSURE })));
    const [a, b, c] = await claim(server, 'estimate', 'ann', 3);
    expect((await label(server, 'estimate', [{ itemId: a!.itemId, labeler: 'ann', concepts: ['lager'] }])).status).toBe(200);
    expect((await label(server, 'estimate', [b!, c!].map((i) => ({ itemId: i.itemId, labeler: 'ann', concepts: ['stout'], bulk: true })))).status).toBe(200);
    const model = await server.driftloop.services.models.get('estimate');
    const labeled = server.driftloop.services.driftProviders;
    expect((await labeled.performanceLabels(model))).toHaveLength(1);
    expect(await labeled.labeledAccuracy(model)).toMatchObject({ production: { total: 1 } });
  });
});
