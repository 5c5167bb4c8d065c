import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, ingest, label, outliers, setupModel, stats, UNSURE } from './support.js';

/** Queues one item per answer row, lets each labeler claim all of them, and submits the answers. */
async function labelTable(server: TestServer, model: string, labelers: string[], table: string[][]) {
  const f = await setupModel(server, model, { queue: { labelsPerItem: labelers.length } });
  await ingest(server, model, outliers(f.data, table.length).map((embedding, i) => ({ id: `${model}-${i}`, embedding, scores: UNSURE })));
  for (const [j, labeler] of labelers.entries()) {
    const items = await claim(server, model, labeler, table.length);
    expect(items).toHaveLength(table.length);
    const byPrediction = new Map(items.map((i) => [i.predictionId, i.itemId]));
    const res = await label(server, model, table.map((row, i) => ({ itemId: byPrediction.get(`${model}-${i}`), labeler, concepts: [row[j]] })));
    expect(res.status).toBe(200);
  }
}

describe('queue stats', () => {
  let server: TestServer;
  const clock = new ManualClock();
  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(() => server.stop());

  it("when two labelers share items, then agreement is Cohen's kappa: 0.4 for the hand-worked table", async () => {
    // ann\bob   lager stout
    //   lager     4     2      p_o = 7/10, ann (0.6, 0.4), bob (0.5, 0.5)
    //   stout     1     3      p_e = 0.6·0.5 + 0.4·0.5 = 0.5, kappa = (0.7 − 0.5)/(1 − 0.5) = 0.4
    const table = [
      ...Array.from({ length: 4 }, () => ['lager', 'lager']),
      ...Array.from({ length: 3 }, () => ['stout', 'stout']),
      ['lager', 'stout'],
      ['lager', 'stout'],
      ['stout', 'lager'],
    ];
    await labelTable(server, 'cohen', ['ann', 'bob'], table);
    const s = await stats(server, 'cohen');
    expect(s).toMatchObject({ pending: 0, leased: 0, labeled: 10, outOfScope: 0 });
    expect(s.labelers).toEqual([
      { labeler: 'ann', labeled: 10, today: 10, skipped: 0 },
      { labeler: 'bob', labeled: 10, today: 10, skipped: 0 },
    ]);
    expect(s.agreement.method).toBe('cohen');
    expect(s.agreement.kappa).toBeCloseTo(0.4, 12);
    expect(s.agreement.items).toBe(10);
  });

  it("when three labelers share items, then agreement is Fleiss' kappa: 1/3 for the hand-worked table", async () => {
    // P_i = 1, 1/3, 1, 1/3 → mean 2/3; p(lager) = p(stout) = 1/2 → P_e = 1/2; kappa = (2/3 − 1/2)/(1/2) = 1/3
    const table = [
      ['lager', 'lager', 'lager'],
      ['lager', 'lager', 'stout'],
      ['stout', 'stout', 'stout'],
      ['lager', 'stout', 'stout'],
    ];
    await labelTable(server, 'fleiss', ['ann', 'bob', 'carl'], table);
    const s = await stats(server, 'fleiss');
    expect(s.labeled).toBe(4);
    expect(s.agreement).toMatchObject({ method: 'fleiss', items: 4, labelers: 3 });
    expect(s.agreement.kappa).toBeCloseTo(1 / 3, 12);
  });

  it('when no item has two labels, then agreement is absent', async () => {
    await labelTable(server, 'solo', ['ann'], [['lager'], ['stout']]);
    const s = await stats(server, 'solo');
    expect(s.labeled).toBe(2);
    expect(s.agreement).toBeUndefined();
  });

  it('when some items wait, some are leased and some are labeled, then the counts say so', async () => {
    const f = await setupModel(server, 'mixed');
    await ingest(server, 'mixed', outliers(f.data, 6).map((embedding, i) => ({ id: `m-${i}`, embedding, scores: UNSURE })));
    const items = await claim(server, 'mixed', 'ann', 3);
    await label(server, 'mixed', [{ itemId: items[0]!.itemId, labeler: 'ann', concepts: ['ipa'] }]);
    const s = await stats(server, 'mixed');
    expect(s).toMatchObject({ pending: 3, leased: 2, labeled: 1, outOfScope: 0 });
    expect(s.byReason.ood).toBe(5);
  });

  it('when items move through every state, then the trigger-kept counts equal a full recount', async () => {
    const f = await setupModel(server, 'recount', { queue: { leaseSeconds: 1, labelsPerItem: 2 } });
    await ingest(server, 'recount', outliers(f.data, 8).map((embedding, i) => ({ id: `r-${i}`, embedding, scores: UNSURE })));
    const { queue, models, database } = server.driftloop.services;
    const model = await models.get('recount');
    await queue.boostRecentOod(model);
    const ann = await claim(server, 'recount', 'ann', 4);
    const bob = await claim(server, 'recount', 'bob', 2);
    await label(server, 'recount', [
      { itemId: ann[0]!.itemId, labeler: 'ann', concepts: [], outOfScope: true },
      { itemId: ann[1]!.itemId, labeler: 'ann', concepts: ['lager'] },
      { itemId: ann[2]!.itemId, labeler: 'ann', concepts: [], skip: true },
    ]);
    await label(server, 'recount', [
      { itemId: bob[0]!.itemId, labeler: 'bob', concepts: [], outOfScope: true },
      { itemId: bob[1]!.itemId, labeler: 'bob', concepts: ['lager'] },
    ]);
    await queue.clearDriftBoost(model);
    await queue.boostRecentOod(model);
    await clock.advance(1200);
    const s = await stats(server, 'recount');
    const recount = async (query: RawBuilder<Record<string, number>>) => (await query.execute(database.db)).rows[0]!;
    const n = (condition: RawBuilder<unknown>) => sql`coalesce(sum(case when ${condition} then 1 else 0 end), 0)`;
    const byStatus = await recount(sql`select ${n(sql`status = 'pending'`)} as "pending", ${n(sql`status = 'leased'`)} as "leased",
      ${n(sql`status = 'labeled'`)} as "labeled", ${n(sql`status = 'out_of_scope'`)} as "outOfScope" from queue_items where model_id = ${model.id}`);
    const open = await recount(sql`select count(*) as "ood", ${n(sql`drift_boost > 0`)} as "drift" from queue_items
      where model_id = ${model.id} and status in ('pending', 'leased')`);
    expect({ pending: s.pending, leased: s.leased, labeled: s.labeled, outOfScope: s.outOfScope }).toEqual(byStatus);
    expect({ ood: s.byReason.ood, drift: s.byReason.drift }).toEqual(open);
    expect(s.outOfScope + s.labeled).toBeGreaterThan(0);
  });
});
