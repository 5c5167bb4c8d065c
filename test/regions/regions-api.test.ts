import { productionSplit } from '../../src/util/hash-split.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, ingest, label, labeledProduction, setupModel, type Fixture } from '../queue/support.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { regionWindow } from './support.js';

describe('GET /v1/models/{model}/regions, region claims and similar items', () => {
  let server: TestServer;
  let fx: Fixture;
  let novelIds: Set<string>;

  beforeAll(async () => {
    server = await startTestServer();
    fx = await setupModel(server, 'pint', { regions: { fitSample: 300, mapSample: 120 } });
    // 90 in-distribution predictions across the three training clusters, then 60 of a kind training never had.
    const window = regionWindow(fx);
    novelIds = window.novelIds;
    const { known, fresh } = window;
    await ingest(server, 'pint', known);
    await ingest(server, 'pint', fresh);
  }, 60_000);
  afterAll(() => server.stop());

  it('when production has a region training never covered, then it comes first, with no training share and a low estimated accuracy', async () => {
    const res = await server.request('GET', '/v1/models/pint/regions');
    expect(res.status).toBe(200);
    const regions = res.body.regions as { id: number; size: number; share: number; trainingShare: number; estimatedAccuracy: number; labeled: number; examples: string[]; centroid2d: number[] }[];
    expect(regions.reduce((s, r) => s + r.size, 0)).toBe(150);
    expect(regions.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 9);
    expect(regions.reduce((s, r) => s + r.trainingShare, 0)).toBeCloseTo(1, 9);
    const top = regions[0]!;
    expect(top.size).toBe(60);
    expect(top.examples.length).toBeGreaterThan(0);
    expect(top.examples.every((id) => novelIds.has(id))).toBe(true);
    expect(top.trainingShare).toBe(0);
    expect(top.estimatedAccuracy).toBeLessThan(0.5);
    for (const r of regions.slice(1)) {
      expect(r.trainingShare).toBeGreaterThan(0.2);
      expect(r.estimatedAccuracy).toBeGreaterThan(0.8);
    }
    for (const r of regions) for (const v of r.centroid2d) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('when nothing new arrived, then a second call serves the cached clustering', async () => {
    const a = await server.request('GET', '/v1/models/pint/regions');
    const b = await server.request('GET', '/v1/models/pint/regions');
    expect(b.body.computedAt).toBe(a.body.computedAt);
    expect(b.body.regions.map((r: { id: number }) => r.id)).toEqual(a.body.regions.map((r: { id: number }) => r.id));
  });

  it('when a labeler claims a region, then every item comes from it, and labels there count toward it', async () => {
    const top = (await server.request('GET', '/v1/models/pint/regions')).body.regions[0];
    const items = await claim(server, 'pint', 'ann', 10);
    expect(items.length).toBeGreaterThan(0);
    // A plain claim and a region claim differ: the region claim is restricted.
    const regionClaim = await server.request('POST', '/v1/models/pint/queue/claim', { labeler: 'bob', limit: 5, region: top.id });
    expect(regionClaim.status).toBe(200);
    expect(regionClaim.body.items.length).toBeGreaterThan(0);
    expect(regionClaim.body.items.every((i: { predictionId: string }) => novelIds.has(i.predictionId))).toBe(true);
    const other = (await server.request('GET', '/v1/models/pint/regions')).body.regions.find((r: { id: number }) => r.id !== top.id);
    const none = await server.request('POST', '/v1/models/pint/queue/claim', { labeler: 'cy', limit: 5, region: other.id });
    expect(none.body.items.every((i: { predictionId: string }) => !novelIds.has(i.predictionId))).toBe(true);
    const first = regionClaim.body.items[0];
    const res = await label(server, 'pint', [{ itemId: first.itemId, labeler: 'bob', concepts: ['ipa'] }]);
    expect(res.status).toBe(200);
    const after = (await server.request('GET', '/v1/models/pint/regions')).body.regions.find((r: { id: number }) => r.id === top.id);
    expect(after.labeled).toBe(1);
  });

  it('when a claim names a region id never issued, then it is refused with 404 naming where the regions are listed; a region whose items are taken answers empty', async () => {
    const regions = (await server.request('GET', '/v1/models/pint/regions')).body.regions as { id: number }[];
    const unknown = Math.max(...regions.map((r) => r.id)) + 1000;
    const res = await server.request('POST', '/v1/models/pint/queue/claim', { labeler: 'eve', limit: 5, region: unknown });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(`no region ${unknown} (ids run to `);
    expect(res.body.error.message).toContain('/v1/models/pint/regions');
    // Every listed region answers 200, those whose predictions none was queued (confident, in distribution) too.
    for (const r of regions) expect((await server.request('POST', '/v1/models/pint/queue/claim', { labeler: 'hal', limit: 1, region: r.id })).status, `region ${r.id}`).toBe(200);
    // Drain one region, then claim it again: known, nothing left, 200 with no items.
    const top = regions[0]!;
    for (let round = 0; round < 50; round++) {
      const got = await server.request('POST', '/v1/models/pint/queue/claim', { labeler: 'gil', limit: 100, region: top.id });
      expect(got.status).toBe(200);
      if (got.body.items.length === 0) break;
      expect((await label(server, 'pint', got.body.items.map((i: { itemId: string }) => ({ itemId: i.itemId, labeler: 'gil', skip: true })))).status).toBe(200);
    }
    const empty = await server.request('POST', '/v1/models/pint/queue/claim', { labeler: 'gil', limit: 5, region: top.id });
    expect(empty.status).toBe(200);
    expect(empty.body.items).toEqual([]);
  });

  it('when a region id is not a positive integer, then the claim is refused with 400', async () => {
    const res = await server.request('POST', '/v1/models/pint/queue/claim', { labeler: 'bob', region: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBeDefined();
  });

  it('when asking for items similar to a claimed one, then free pending items of the same kind come nearest first', async () => {
    const [item] = (await server.request('POST', '/v1/models/pint/queue/claim', { labeler: 'dee', limit: 1, region: (await server.request('GET', '/v1/models/pint/regions')).body.regions[0].id })).body.items;
    const res = await server.request('GET', `/v1/models/pint/queue/items/${item.itemId}/similar?limit=5`);
    expect(res.status).toBe(200);
    const similar = res.body.items as { itemId: string; predictionId: string; distance: number; input: { url: string } }[];
    expect(similar.length).toBe(5);
    expect(similar.every((s) => novelIds.has(s.predictionId) && s.itemId !== item.itemId)).toBe(true);
    expect(similar.map((s) => s.distance)).toEqual([...similar.map((s) => s.distance)].sort((a, b) => a - b));
    expect(similar[0]!.input.url).toMatch(/^https:\/\/img\.example\/n-/);
    expect((await server.request('GET', '/v1/models/pint/queue/items/999999/similar')).status).toBe(404);
    expect((await server.request('GET', `/v1/models/pint/queue/items/${item.itemId}/similar?limit=0`)).status).toBe(400);
  });

  it('when similar items are labeled in bulk, then they are stored as unclaimed bulk labels and stay out of the eval split', async () => {
    const [item] = (await server.request('POST', '/v1/models/pint/queue/claim', { labeler: 'eve', limit: 1, region: (await server.request('GET', '/v1/models/pint/regions')).body.regions[0].id })).body.items;
    const similar = (await server.request('GET', `/v1/models/pint/queue/items/${item.itemId}/similar?limit=20`)).body.items as { itemId: string; predictionId: string }[];
    const res = await label(server, 'pint', [
      { itemId: item.itemId, labeler: 'eve', concepts: ['ipa'] },
      ...similar.map((s) => ({ itemId: s.itemId, labeler: 'eve', concepts: ['ipa'], bulk: true })),
    ]);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(similar.length + 1);
    const rows = await server.driftloop.services.database.db.selectFrom('queue_labels').select(['item_id', 'claimed', 'bulk']).where('labeler', '=', 'eve').execute();
    const byItem = new Map(rows.map((r) => [String(r.item_id), r]));
    expect(byItem.get(item.itemId)).toMatchObject({ claimed: 1, bulk: 0 });
    for (const s of similar) expect(byItem.get(s.itemId)).toMatchObject({ claimed: 0, bulk: 1 });
    const produced = await labeledProduction(server, 'pint');
    const bulkIds = new Set(similar.map((s) => s.predictionId));
    const bulkRows = produced.filter((p) => bulkIds.has(p.id));
    expect(bulkRows.length).toBe(similar.length);
    expect(bulkRows.every((p) => p.split === 'train')).toBe(true);
  });

  it('when a labeler labels pending items it holds no lease on and leaves out bulk, then they stay out of the eval split too: the claim is what reviews an item', async () => {
    const [item] = (await server.request('POST', '/v1/models/pint/queue/claim', { labeler: 'fay', limit: 1 })).body.items;
    const similar = (await server.request('GET', `/v1/models/pint/queue/items/${item.itemId}/similar?limit=20`)).body.items as { itemId: string; predictionId: string }[];
    // Items whose id alone would put them in the eval split: what such a client would pick, were the model's key known to it.
    const model = await server.driftloop.services.models.get('pint');
    const chosen = similar.filter((s) => productionSplit(model, s.predictionId) === 'eval');
    expect(chosen.length).toBeGreaterThan(0);
    const res = await label(server, 'pint', [{ itemId: item.itemId, labeler: 'fay', concepts: ['ipa'] }, ...chosen.map((s) => ({ itemId: s.itemId, labeler: 'fay', concepts: ['ipa'] }))]);
    expect(res.status).toBe(200);
    const produced = new Map((await labeledProduction(server, 'pint')).map((p) => [p.id, p]));
    for (const s of chosen) expect(produced.get(s.predictionId)?.split).toBe('train');
    expect(produced.get(item.predictionId)?.split).toBe(productionSplit(model, item.predictionId));
  });
});
