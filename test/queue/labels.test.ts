import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionSplit, splitForId } from '../../src/util/hash-split.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { QueueLabeledSource } from '../../src/queue/labeled-source.js';
import { claim, ingest, label, labeledProduction, outliers, setupModel, stats, UNSURE, type Fixture } from './support.js';
import { ownerReadRepositories } from '../../src/composition/ports.js';

describe('labels', () => {
  let server: TestServer;
  let f: Fixture;
  let n = 0;
  /** Queues `count` fresh items and returns them claimed by `labeler`. */
  async function fresh(labeler: string, count = 1) {
    const preds = outliers(f.data, count).map((embedding) => ({ id: `p-${n++}`, embedding, scores: UNSURE }));
    await ingest(server, 'pint', preds);
    const items = await claim(server, 'pint', labeler, count);
    expect(items).toHaveLength(count);
    return items;
  }
  beforeAll(async () => {
    server = await startTestServer();
    f = await setupModel(server, 'pint');
  });
  afterAll(() => server.stop());

  it('when the same label is submitted twice, then the second changes nothing and counts as a duplicate', async () => {
    const [item] = await fresh('ann');
    const body = { itemId: item!.itemId, labeler: 'ann', concepts: ['stout'] };
    const first = await label(server, 'pint', [body]);
    expect(first.body).toEqual({ accepted: 1, duplicates: 0 });
    const again = await label(server, 'pint', [{ ...body, concepts: ['lager'] }]);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1 });
    const s = await stats(server, 'pint');
    expect(s.labeled).toBe(1);
    expect(s.labelers).toEqual([{ labeler: 'ann', labeled: 1, today: 1, skipped: 0 }]);
  });

  it('when a batch holds a concept outside the taxonomy, then it is refused with the bad indexes and nothing is stored', async () => {
    const [a, b, c] = await fresh('bob', 3);
    const res = await label(server, 'pint', [
      { itemId: a!.itemId, labeler: 'bob', concepts: ['lager'] },
      { itemId: b!.itemId, labeler: 'bob', concepts: ['cider'] },
      { itemId: c!.itemId, labeler: 'bob', concepts: ['lager', 'stout'] },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.indexes).toEqual([1, 2]);
    expect((await stats(server, 'pint')).labeled).toBe(1);
    // Still bob's: the refused batch did not release the leases either.
    expect((await claim(server, 'pint', 'bob', 3)).map((i) => i.itemId).sort()).toEqual([a, b, c].map((i) => i!.itemId).sort());
    expect((await label(server, 'pint', [a, b, c].map((i) => ({ itemId: i!.itemId, labeler: 'bob', concepts: ['ipa'] })))).status).toBe(200);
  });

  it('when a label names a concept twice, then the batch is refused with 400 and its index, and nothing is stored', async () => {
    const [a, b] = await fresh('gus', 2);
    const before = (await stats(server, 'pint')).labeled;
    const twice = await label(server, 'pint', [
      { itemId: a!.itemId, labeler: 'gus', concepts: ['stout'] },
      { itemId: b!.itemId, labeler: 'gus', concepts: ['lager', 'lager'] },
    ]);
    expect(twice.status).toBe(400);
    expect(twice.body.error.details.indexes).toEqual([1]);
    const proposedTwice = await label(server, 'pint', [{ itemId: a!.itemId, labeler: 'gus', concepts: [], newConcepts: ['cider', 'cider'] }]);
    expect(proposedTwice.status).toBe(400);
    expect((await stats(server, 'pint')).labeled).toBe(before);
    expect((await label(server, 'pint', [a, b].map((i) => ({ itemId: i!.itemId, labeler: 'gus', concepts: ['lager'] })))).status).toBe(200);
  });

  it('when a labeler proposes a new concept, then it is stored open-set; naming an existing concept there is refused', async () => {
    const [item] = await fresh('ann');
    expect((await label(server, 'pint', [{ itemId: item!.itemId, labeler: 'ann', concepts: [], newConcepts: ['lager'] }])).status).toBe(400);
    const ok = await label(server, 'pint', [{ itemId: item!.itemId, labeler: 'ann', concepts: [], newConcepts: ['cider'] }]);
    expect(ok.body.accepted).toBe(1);
    expect((await stats(server, 'pint')).newConcepts).toEqual([{ concept: 'cider', labels: 1, labelers: 1 }]);
    const labeled = await labeledProduction(server, 'pint');
    expect(labeled.find((l) => l.id === item!.predictionId)).toMatchObject({ concepts: [], newConcepts: ['cider'] });
  });

  it('when an item is marked out of scope, then it is finished but not training data', async () => {
    const [item] = await fresh('ann');
    expect((await label(server, 'pint', [{ itemId: item!.itemId, labeler: 'ann', concepts: ['lager'], outOfScope: true }])).status).toBe(400);
    expect((await label(server, 'pint', [{ itemId: item!.itemId, labeler: 'ann', concepts: [], outOfScope: true }])).status).toBe(200);
    expect((await stats(server, 'pint')).outOfScope).toBe(1);
    expect((await labeledProduction(server, 'pint')).map((l) => l.id)).not.toContain(item!.predictionId);
  });

  it('when a labeler skips an item, then it returns to the queue for others but is not offered to them again', async () => {
    const [item] = await fresh('dave');
    expect((await label(server, 'pint', [{ itemId: item!.itemId, labeler: 'dave', concepts: [], skip: true }])).body.accepted).toBe(1);
    expect(await claim(server, 'pint', 'dave', 5)).toHaveLength(0);
    const [other] = await claim(server, 'pint', 'erin', 1);
    expect(other!.itemId).toBe(item!.itemId);
    expect((await stats(server, 'pint')).labelers.find((l: { labeler: string }) => l.labeler === 'dave').skipped).toBe(1);
    await label(server, 'pint', [{ itemId: item!.itemId, labeler: 'erin', concepts: ['stout'] }]);
  });

  it('when someone labels an item leased to another labeler, then it is refused with 409; an unknown item is a 400', async () => {
    const [item] = await fresh('ann');
    const res = await label(server, 'pint', [{ itemId: item!.itemId, labeler: 'mallory', concepts: ['stout'] }]);
    expect(res.status).toBe(409);
    expect(res.body.error.details.indexes).toEqual([0]);
    const unknown = await label(server, 'pint', [{ itemId: '999999', labeler: 'ann', concepts: ['stout'] }]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.indexes).toEqual([0]);
    await label(server, 'pint', [{ itemId: Number(item!.itemId), labeler: 'ann', concepts: ['stout'] }]);
  });

  it("when items are labeled, then training reads them split 80/20 by a hash of the prediction id under the model's secret key, with embedding, concepts and label ids", async () => {
    const before = new Date(Date.now() - 1).toISOString();
    const items = await fresh('fay', 40);
    await label(server, 'pint', items.map((i, k) => ({ itemId: i.itemId, labeler: 'fay', concepts: [['lager', 'stout', 'ipa'][k % 3]!] })));
    const listed = await labeledProduction(server, 'pint');
    const mine = listed.filter((l) => items.some((i) => i.predictionId === l.id));
    expect(mine).toHaveLength(40);
    const model = await server.driftloop.services.models.get('pint');
    expect(model.splitKey).toMatch(/^[0-9a-f]{64}$/);
    // The key decides: the plain hash of the id (what an app could compute) disagrees on some items.
    expect(mine.some((l) => l.split !== splitForId(l.id))).toBe(true);
    // Nowhere the model is shown: its description, the list, a PUT's answer, the drift report.
    for (const [method, path] of [['GET', '/v1/models/pint'], ['GET', '/v1/models'], ['GET', '/v1/models/pint/report']] as const) {
      const shown = await server.request(method, path);
      expect(shown.status, path).toBe(200);
      expect(JSON.stringify(shown.body), path).not.toContain(model.splitKey!);
    }
    const { id: _id, splitKey: _key, createdAt: _c, updatedAt: _u, encoder: _e, ...definition } = model;
    const put = await server.request('PUT', '/v1/models/pint', definition);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain(model.splitKey!);
    for (const l of mine) {
      expect(l.split).toBe(productionSplit(model, l.id));
      expect(l.embedding).toHaveLength(16);
      expect(l.concepts).toHaveLength(1);
      expect(l.labelIds).toHaveLength(1);
    }
    expect(new Set(mine.map((l) => l.split))).toEqual(new Set(['train', 'eval']));
    const source = new QueueLabeledSource(server.driftloop.services.database.db, ownerReadRepositories.predictions);
    expect(await source.countSince(model.id, before)).toBe(40);
    expect(await source.proposedConcepts(model.id)).toEqual([{ concept: 'cider', labels: 1, labelers: 1 }]);
    const accuracy = await source.accuracy(model);
    expect(accuracy!.total).toBe(listed.length);
  });
  it('when a labeler retracts bulk labels, then they are withdrawn and the items return to the queue, on both databases', async () => {
    const [a, b] = await fresh('gina', 2);
    const given = await label(server, 'pint', [a!, b!].map((item) => ({ itemId: item.itemId, labeler: 'gina', concepts: ['lager'], bulk: true })));
    expect(given.status).toBe(200);
    const before = await stats(server, 'pint');
    const res = await server.request('POST', '/v1/models/pint/labels/retract', { labeler: 'gina', itemIds: [a!.itemId, b!.itemId] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.retracted).toBe(2);
    const after = await stats(server, 'pint');
    expect(after.labeled).toBe(before.labeled - 2);
    expect(after.pending).toBe(before.pending + 2);
  });
});
