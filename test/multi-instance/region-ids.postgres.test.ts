import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, setupModel } from '../queue/support.js';
import { listRegions as regions, regionWindow } from '../regions/support.js';
import { startTwoInstances, type TwoInstances } from '../support/server.js';

/**
 * Each instance clusters the window itself (regions are cached per instance), but the ids are the
 * database's: a region read on one instance is the same region, by id, on the other, and a claim
 * naming it on either hands out its items.
 */
describe('region ids across two instances on one PostgreSQL database', () => {
  let two: TwoInstances;

  beforeAll(async () => {
    two = await startTwoInstances();
  }, 60_000);
  afterAll(() => two?.stop());

  it('when instance B clusters a window after A did, then it gives each region the id A gave it, and a claim of that id on either instance hands out that region', async () => {
    const fx = await setupModel(two.a, 'pint', { regions: { fitSample: 300, mapSample: 120 } });
    const { known, fresh, novelIds } = regionWindow(fx);
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
