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
});
