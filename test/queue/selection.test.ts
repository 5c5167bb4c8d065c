import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaussian, mulberry32 } from '../../src/util/random.js';
import { ManualClock } from '../support/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, CONCEPTS, ingest, setupModel, UNSURE, type PredictionBody } from './support.js';

/** Two new regions far from training: a dense one of 12 inputs, a smaller one of 5, and one stray input. */
function newRegions(): PredictionBody[] {
  const normal = gaussian(mulberry32(11));
  const direction = () => Array.from({ length: 16 }, () => 3 * normal());
  const around = (c: number[]) => c.map((x) => x + 0.6 * normal());
  const [a, b, stray] = [direction(), direction(), direction()];
  return [
    ...Array.from({ length: 12 }, (_, i) => ({ id: `a-${i}`, embedding: around(a), scores: UNSURE })),
    ...Array.from({ length: 5 }, (_, i) => ({ id: `b-${i}`, embedding: around(b), scores: UNSURE })),
    { id: 'stray', embedding: stray, scores: UNSURE },
  ];
}

describe('selection policies through claims', () => {
  let server: TestServer;
  const clock = new ManualClock();
  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(() => server.stop());

  it('when the policy is typical, then the first claim takes one input of each new region, densest first, and none of the stray', async () => {
    await setupModel(server, 'typical', { queue: { uncertaintyThreshold: 0, selection: 'typical' } });
    const queued = await ingest(server, 'typical', newRegions());
    expect(queued.filter((r) => r.queued)).toHaveLength(18);
    const items = await claim(server, 'typical', 'ann', 2);
    expect(items.map((i) => i.predictionId.split('-')[0])).toEqual(['a', 'b']);
  });

  it('when the policy is random, then two models with the same predictions hand them out in the same seeded order, unlike priority order', async () => {
    const orders: string[][] = [];
    for (const name of ['random-1', 'random-2']) {
      await setupModel(server, name, { queue: { uncertaintyThreshold: 0, selection: 'random', selectionSeed: 5 } });
      await ingest(server, name, newRegions());
      orders.push((await claim(server, name, 'ann', 18)).map((i) => i.predictionId));
    }
    expect(orders[1]).toEqual(orders[0]);
    expect([...orders[0]!].sort()).toEqual(newRegions().map((p) => p.id).sort());
    await setupModel(server, 'by-priority', { queue: { uncertaintyThreshold: 0, selection: 'priority' } });
    await ingest(server, 'by-priority', newRegions());
    expect((await claim(server, 'by-priority', 'ann', 18)).map((i) => i.predictionId)).not.toEqual(orders[0]);
  });

  it('when the policy is drifted, then claims hand out every out-of-distribution input before any in-distribution one, in a seeded order', async () => {
    const fx = await setupModel(server, 'drifted', { queue: { uncertaintyThreshold: 0, selection: 'drifted', selectionSeed: 5 } });
    const inDistribution = Array.from({ length: 6 }, (_, i) => ({ id: `in-${i}`, embedding: fx.data.point(i % 3), scores: UNSURE }));
    const queued = await ingest(server, 'drifted', [...inDistribution, ...newRegions()]);
    expect(queued.filter((r) => r.queued)).toHaveLength(24);
    // The detector's answer decides (an in-distribution point may lie past its threshold).
    const ood = new Map(queued.map((r) => [r.id, r.ood.isOod]));
    const drifted = queued.filter((r) => r.ood.isOod).length;
    expect(drifted).toBeGreaterThanOrEqual(17);
    expect(drifted).toBeLessThan(24);
    const order = (await claim(server, 'drifted', 'ann', 24)).map((i) => i.predictionId);
    expect(order.map((id) => ood.get(id))).toEqual([...Array<boolean>(drifted).fill(true), ...Array<boolean>(24 - drifted).fill(false)]);
    await setupModel(server, 'drifted-again', { queue: { uncertaintyThreshold: 0, selection: 'drifted', selectionSeed: 5 } });
    await ingest(server, 'drifted-again', [...inDistribution, ...newRegions()]);
    expect((await claim(server, 'drifted-again', 'ann', 24)).map((i) => i.predictionId)).toEqual(order);
  });

  it('when new items arrive after a ranking, then claims hand out the cached ranking and do not re-rank per claim', async () => {
    await setupModel(server, 'cached', { queue: { uncertaintyThreshold: 0, selection: 'typical' } });
    const regions = newRegions();
    await ingest(server, 'cached', [...regions.slice(0, 12), regions[17]!]);
    const [first] = await claim(server, 'cached', 'ann', 1);
    expect(first!.predictionId.startsWith('a-')).toBe(true);
    // Region b is dense and uncovered: a fresh ranking would hand it out next (as the first test
    // shows); the cached one, made before it arrived, goes on with its own order.
    await ingest(server, 'cached', regions.slice(12, 17));
    const next = await claim(server, 'cached', 'bob', 3);
    expect(next.map((i) => i.predictionId.split('-')[0]).filter((p) => p === 'b')).toEqual([]);
    // Once the cached order runs out, claims fall back to priority and the new items still go out.
    const rest = await claim(server, 'cached', 'carl', 18);
    expect(rest.filter((i) => i.predictionId.startsWith('b-'))).toHaveLength(5);
  });

  it('when the selection settings change, then the next claim follows a new ranking', async () => {
    const orderOf = async (name: string, seed: number) => {
      await setupModel(server, name, { queue: { uncertaintyThreshold: 0, selection: 'random', selectionSeed: seed } });
      await ingest(server, name, newRegions());
      return (await claim(server, name, 'ann', 18)).map((i) => i.predictionId);
    };
    const [five, six] = [await orderOf('seed-5', 5), await orderOf('seed-6', 6)];
    await setupModel(server, 'reseeded', { queue: { uncertaintyThreshold: 0, selection: 'random', selectionSeed: 5 } });
    await ingest(server, 'reseeded', newRegions());
    const before = (await claim(server, 'reseeded', 'ann', 3)).map((i) => i.predictionId);
    expect(before).toEqual(five.slice(0, 3));
    const put = await server.request('PUT', '/v1/models/reseeded', { task: 'multiclass', embeddingDim: 16, concepts: CONCEPTS, settings: { queue: { uncertaintyThreshold: 0, selection: 'random', selectionSeed: 6 } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const after = (await claim(server, 'reseeded', 'bob', 3)).map((i) => i.predictionId);
    expect(after).toEqual(six.filter((id) => !before.includes(id)).slice(0, 3));
  });

  it('when a lease lapses, then a ranked claim hands its item out again', async () => {
    await setupModel(server, 'lapse', { queue: { uncertaintyThreshold: 0, selection: 'adaptive', leaseSeconds: 1 } });
    await ingest(server, 'lapse', newRegions().slice(0, 1));
    const [first] = await claim(server, 'lapse', 'ann', 1);
    expect(await claim(server, 'lapse', 'bob', 1)).toHaveLength(0);
    await clock.advance(1500);
    const [again] = await claim(server, 'lapse', 'bob', 1);
    expect(again!.itemId).toBe(first!.itemId);
  });
});
