import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusteredData } from '../support/clustered-data.js';
import { confident, ingest, setupModel } from '../queue/support.js';
import { startTwoInstances, type TestServer, type TwoInstances } from '../support/server.js';

/**
 * Each instance clusters the window itself (regions are cached per instance), but the ids are the
 * database's: a region read on one instance is the same region, by id, on the other, and a claim
 * naming it on either hands out its items.
 */
describe('region ids across two instances on one PostgreSQL database', () => {
  let two: TwoInstances;
  const novel = new ClusteredData({ dim: 16, clusters: 1, spread: 0.15, seed: 99 });
  const novelIds = new Set<string>();

  beforeAll(async () => {
    two = await startTwoInstances();
  }, 60_000);
  afterAll(() => two?.stop());

  const regions = async (on: TestServer) => (await on.request('GET', '/v1/models/pint/regions')).body.regions as { id: number; size: number; examples: string[] }[];

  it('when instance B clusters a window after A did, then it gives each region the id A gave it, and a claim of that id on either instance hands out that region', async () => {
    const fx = await setupModel(two.a, 'pint', { regions: { fitSample: 300, mapSample: 120 } });
    const known = Array.from({ length: 90 }, (_, i) => ({ id: `k-${i}`, embedding: fx.data.point(i % 3), scores: confident(i % 3) }));
    const fresh = Array.from({ length: 60 }, (_, i) => {
      novelIds.add(`n-${i}`);
      return { id: `n-${i}`, embedding: novel.point(0), scores: { lager: 0.4, stout: 0.35, ipa: 0.25 } };
    });
    await ingest(two.a, 'pint', known);
    await ingest(two.a, 'pint', fresh.slice(0, 30));
    // A's first clustering, then a second one that carries its ids; B has never clustered.
    const first = await regions(two.a);
    await ingest(two.a, 'pint', fresh.slice(30));
    const onA = await regions(two.a);
    expect(onA.map((r) => r.id).sort()).toEqual(first.map((r) => r.id).sort());
    const onB = await regions(two.b);
    expect(onB.map((r) => r.id).sort()).toEqual(onA.map((r) => r.id).sort());
    const top = onA[0]!;
    expect(top.size).toBe(60);
    expect(top.examples.every((id) => novelIds.has(id))).toBe(true);
    // The new region, first on both: with ids kept per instance, B named it 1 where A had named it 4.
    expect(onB[0]!.size).toBe(60);
    expect(onB[0]!.id).toBe(top.id);
    for (const [who, on] of [['ann', two.a], ['bob', two.b]] as const) {
      const res = await on.request('POST', '/v1/models/pint/queue/claim', { labeler: who, limit: 5, region: top.id });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.items).toHaveLength(5);
      expect(res.body.items.every((i: { predictionId: string }) => novelIds.has(i.predictionId)), `on ${who === 'ann' ? 'A' : 'B'}`).toBe(true);
    }
  });
});
