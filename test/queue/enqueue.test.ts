import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionSink } from '../../src/predictions/prediction.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, confident, ingest, outliers, setupModel, stats, UNSURE, type Fixture } from './support.js';

describe('enqueueing', () => {
  let server: TestServer;
  let f: Fixture;
  beforeAll(async () => {
    server = await startTestServer();
    f = await setupModel(server, 'pint');
  });
  afterAll(() => server.stop());

  it('when predictions are OOD, uncertain or disagree with their neighbours, then they are queued with those reasons', async () => {
    const [far] = outliers(f.data, 1);
    const results = await ingest(server, 'pint', [
      { id: 'calm', embedding: f.data.centers[0]!, scores: confident(0) },
      { id: 'unsure', embedding: f.data.centers[1]!, scores: { lager: 0.44, stout: 0.45, ipa: 0.11 } },
      { id: 'odd-one', embedding: f.data.centers[2]!, scores: confident(0) },
      { id: 'far', embedding: far!, scores: UNSURE },
    ]);
    expect(results.map((r) => r.queued)).toEqual([false, true, true, true]);
    const items = await claim(server, 'pint', 'ann', 10);
    const reasons = Object.fromEntries(items.map((i) => [i.predictionId, i.reasons]));
    expect(reasons.unsure).toEqual(['uncertain']);
    expect(reasons['odd-one']).toEqual(['disagreement']);
    expect(reasons.far).toEqual(expect.arrayContaining(['ood', 'uncertain']));
    // OOD carries the largest default weight, so the far input comes first.
    expect(items[0]!.predictionId).toBe('far');
    const s = await stats(server, 'pint');
    expect(s.byReason).toMatchObject({ uncertain: 2, disagreement: 1, ood: 1 });
  });

  it('when a claimed item is returned, then it carries scores, input and the nearest training examples with their concepts', async () => {
    await ingest(server, 'pint', [{ id: 'with-input', embedding: f.data.point(1), scores: UNSURE, input: { text: 'a dark pint on a bar' } }]);
    const [item] = await claim(server, 'pint', 'bob', 1);
    expect(item!.predictionId).toBe('with-input');
    expect(item!.input).toEqual({ text: 'a dark pint on a bar' });
    expect(item!.scores).toEqual(UNSURE);
    expect(item!.neighbors).toHaveLength(10);
    for (const n of item!.neighbors) {
      expect(n.id).toMatch(/^ex-\d+$/);
      expect(n.concepts).toEqual(['stout']);
    }
    const distances = item!.neighbors.map((n) => n.distance);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
  });

  it('when the model is read, then it reports its queue depth', async () => {
    const res = await server.request('GET', '/v1/models/pint');
    expect(res.body.queue).toEqual({ pending: 0, leased: 4, labeled: 0, outOfScope: 0 });
  });
});

describe('diversity', () => {
  let server: TestServer;
  let f: Fixture;
  const copies = (base: number[], k: number) => base.map((x, d) => x * (1 + 1e-3 * Math.sin(7 * k + d)));
  beforeAll(async () => {
    server = await startTestServer();
    f = await setupModel(server, 'ugc', { queue: { uncertaintyThreshold: 0, recurrenceBoost: 0.5, selection: 'priority' } });
  });
  afterAll(() => server.stop());

  it('when 5 near-copies each of 10 inputs arrive, then at most 10 items are queued and their weights add up to 50', async () => {
    const bases = outliers(f.data, 10);
    const first = await ingest(server, 'ugc', bases.map((b, i) => ({ id: `in-${i}-0`, embedding: copies(b, 0), scores: confident(0) })));
    expect(first.filter((r) => r.queued)).toHaveLength(10);
    // The other copies arrive shuffled in one batch: some duplicates are found in the index, some within the batch.
    const rest = bases.flatMap((b, i) => [1, 2, 3, 4].map((k) => ({ id: `in-${i}-${k}`, embedding: copies(b, k), scores: confident(0) })));
    rest.sort((a, b) => (a.id.split('').reverse().join('') < b.id.split('').reverse().join('') ? -1 : 1));
    const second = await ingest(server, 'ugc', rest);
    expect(second.filter((r) => r.queued)).toHaveLength(0);

    const s = await stats(server, 'ugc');
    expect(s.pending).toBeLessThanOrEqual(10);
    const items = await claim(server, 'ugc', 'ann', 100);
    expect(items).toHaveLength(s.pending);
    expect(items.reduce((sum, i) => sum + i.weight, 0)).toBe(50);
    expect(items.every((i) => i.weight === 5)).toBe(true);
  });

  it('when near-copies of new inputs arrive in the same batch, then each input opens one item that carries the weight of its copies', async () => {
    const bases = outliers(f.data, 13).slice(10);
    // Interleaved: each copy's nearest item is one this very batch opened, not yet in the index.
    const batch = [0, 1, 2, 3].flatMap((k) => bases.map((b, i) => ({ id: `same-${i}-${k}`, embedding: copies(b, k), scores: confident(0) })));
    const results = await ingest(server, 'ugc', batch);
    expect(results.filter((r) => r.queued).map((r) => r.id).sort()).toEqual(['same-0-0', 'same-1-0', 'same-2-0']);
    const items = (await claim(server, 'ugc', 'batch-check', 100)).filter((i) => i.predictionId.startsWith('same-'));
    expect(items.map((i) => [i.predictionId, i.weight]).sort()).toEqual([['same-0-0', 4], ['same-1-0', 4], ['same-2-0', 4]]);
    // recurrenceBoost 0.5 per doubling: weight 4 adds 1 to the opening prediction's priority.
    for (const item of items) expect(item.priority).toBeCloseTo(results.find((r) => r.id === item.predictionId)!.priority + 1, 9);
  });

  it('when an input recurs, then its priority rises by recurrenceBoost per doubling, above an item seen once', async () => {
    const [a, b] = outliers(f.data, 2);
    await ingest(server, 'ugc', [
      { id: 'once', embedding: a!, scores: UNSURE },
      { id: 'often', embedding: b!, scores: UNSURE },
    ]);
    const before = await claim(server, 'ugc', 'peek', 2);
    const base = Object.fromEntries(before.map((i) => [i.predictionId, i.priority]));
    await server.request('POST', '/v1/models/ugc/labels', { labels: before.map((i) => ({ itemId: i.itemId, labeler: 'peek', concepts: [], skip: true })) });
    await ingest(server, 'ugc', [1, 2, 3].map((k) => ({ id: `often-${k}`, embedding: copies(b!, k), scores: UNSURE })));
    const after = await claim(server, 'ugc', 'carl', 2);
    const often = after.find((i) => i.predictionId === 'often')!;
    expect(often.weight).toBe(4);
    // recurrenceBoost 0.5 per doubling: weight 4 adds 1, more than any difference of base priorities in [0, 1].
    expect(often.priority).toBeCloseTo(base.often! + 1, 9);
    expect(after[0]!.predictionId).toBe('often');
  });

  it('when the server restarts, with or without its saved index, then near-copies still merge into their item', async () => {
    const [c] = outliers(f.data, 1);
    await ingest(server, 'ugc', [{ id: 'persist-0', embedding: c!, scores: UNSURE }]);
    await server.stop();
    const indexFile = path.join(server.dataDir, 'indexes', 'model-1', 'production.hnsw');
    expect(fs.existsSync(indexFile)).toBe(true);
    // Beside the graphs, each generation's exact-match keys: one per point it holds.
    const state = JSON.parse(fs.readFileSync(path.join(server.dataDir, 'indexes', 'model-1', 'production.json'), 'utf8')) as { generations: { count: number }[]; exact: string[] };
    expect(state.exact.map((keys) => Buffer.from(keys, 'base64').length / 4)).toEqual(state.generations.map((g) => g.count));
    expect(state.generations[1]!.count).toBeGreaterThan(0);

    server = await startTestServer({ dataDir: server.dataDir });
    expect((await ingest(server, 'ugc', [{ id: 'persist-1', embedding: copies(c!, 1), scores: UNSURE }]))[0]!.queued).toBe(false);
    await server.stop();

    fs.rmSync(path.join(server.dataDir, 'indexes'), { recursive: true });
    server = await startTestServer({ dataDir: server.dataDir });
    expect((await ingest(server, 'ugc', [{ id: 'persist-2', embedding: copies(c!, 2), scores: UNSURE }]))[0]!.queued).toBe(false);
    // The same values sent again: an exact resend.
    expect((await ingest(server, 'ugc', [{ id: 'persist-3', embedding: c!, scores: UNSURE }]))[0]!.queued).toBe(false);
    const items = await claim(server, 'ugc', 'dana', 100);
    expect(items.find((i) => i.predictionId === 'persist-0')!.weight).toBe(4);
  });
});

describe('batches stored at once', () => {
  let server: TestServer;
  let f: Fixture;
  const copies = (base: number[], k: number) => base.map((x, d) => x * (1 + 1e-3 * Math.sin(7 * k + d)));
  beforeAll(async () => {
    server = await startTestServer();
    f = await setupModel(server, 'busy', { queue: { uncertaintyThreshold: 0, selection: 'priority' } });
  });
  afterAll(() => server.stop());

  // On PostgreSQL a batch's successor starts storing once its predictions are inserted: the rest
  // of the two transactions overlaps, ordered by the database's locks.
  it('when batches of one model arrive at once, then near-copies across them merge into one item each and a repeated id is stored once', async () => {
    const bases = outliers(f.data, 4);
    const batches = [0, 1, 2, 3].map((k) => [
      ...bases.map((b, i) => ({ id: `b${i}-${k}`, embedding: copies(b, k), scores: confident(0) })),
      ...(k > 0 ? [{ id: 'b0-0', embedding: copies(bases[0]!, 0), scores: confident(0) }] : []),
    ]);
    const results = (await Promise.all(batches.map((batch) => ingest(server, 'busy', batch)))).flat();
    const repeated = results.filter((r) => r.id === 'b0-0');
    expect(repeated).toHaveLength(4);
    expect(repeated.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(results.filter((r) => r.queued)).toHaveLength(4);
    const items = await claim(server, 'busy', 'ann', 100);
    expect(items).toHaveLength(4);
    expect(items.map((i) => i.weight)).toEqual([4, 4, 4, 4]);
    expect((await stats(server, 'busy')).leased).toBe(4);
  });
});

describe('a rolled-back ingest', () => {
  let server: TestServer;
  let f: Fixture;
  let failCommit = false;
  beforeAll(async () => {
    // The queue runs, then the commit fails: the database keeps nothing of the batch.
    const predictionSink = (real: PredictionSink): PredictionSink => async (model, fresh) => {
      const step = await real(model, fresh);
      return async (db, scored, trip) => {
        const queued = await step(db, scored, trip);
        if (failCommit) throw new Error('disk full');
        return queued;
      };
    };
    server = await startTestServer({ replace: { predictionSink } });
    f = await setupModel(server, 'rollback', { queue: { uncertaintyThreshold: 0 } });
  });
  afterAll(() => server.stop());

  it('when a batch rolls back after queueing, then its items leave the near-duplicate index and no later item inherits them', async () => {
    const [a, b] = outliers(f.data, 2);
    failCommit = true;
    expect((await server.request('POST', '/v1/models/rollback/predictions', { predictions: [{ id: 'lost', embedding: a!, scores: UNSURE }] })).status).toBe(500);
    failCommit = false;
    // An unrelated input now gets the rolled-back item id; a near-copy of the lost input must not merge into it.
    expect((await ingest(server, 'rollback', [{ id: 'other', embedding: b!, scores: UNSURE }]))[0]!.queued).toBe(true);
    expect((await ingest(server, 'rollback', [{ id: 'lost-again', embedding: a!.map((x) => x * 1.0001), scores: UNSURE }]))[0]!.queued).toBe(true);
    const items = await claim(server, 'rollback', 'ann', 10);
    expect(items.map((i) => [i.predictionId, i.weight]).sort()).toEqual([['lost-again', 1], ['other', 1]]);
  });
});

describe('drift boost and settings', () => {
  let server: TestServer;
  let f: Fixture;
  beforeAll(async () => {
    server = await startTestServer();
    f = await setupModel(server, 'drifty');
  });
  afterAll(() => server.stop());

  it('when drift favours recent OOD samples, then they carry the drift reason and are claimed first until the boost is cleared', async () => {
    const [far] = outliers(f.data, 1);
    await ingest(server, 'drifty', [
      ...Array.from({ length: 5 }, (_, i) => ({ id: `unsure-${i}`, embedding: f.data.point(i % 3), scores: { lager: 0.5, stout: 0.5, ipa: 0 } })),
      { id: 'far', embedding: far!, scores: confident(1) },
    ]);
    const { queue, models } = server.driftloop.services;
    const model = await models.get('drifty');
    expect(await queue.boostRecentOod(model)).toBe(1);
    expect(await queue.boostRecentOod(model)).toBe(0);
    const s = await stats(server, 'drifty');
    expect(s.byReason.drift).toBe(1);
    const [top] = await claim(server, 'drifty', 'ann', 1);
    expect(top!.predictionId).toBe('far');
    expect(top!.reasons).toContain('drift');
    expect(top!.priority).toBeGreaterThan(1);
    expect(await queue.clearDriftBoost(model)).toBe(1);
    const [again] = await claim(server, 'drifty', 'ann', 1);
    expect(again!.reasons).not.toContain('drift');
    expect(again!.priority).toBeLessThanOrEqual(1);
  });

  it('when labelsPerItem rises, then open items wait for that many labelers', async () => {
    const put = await server.request('PUT', '/v1/models/drifty', { task: 'multiclass', embeddingDim: 16, concepts: [{ id: 'lager' }, { id: 'stout' }, { id: 'ipa' }], settings: { queue: { labelsPerItem: 2 } } });
    expect(put.status).toBe(200);
    const items = await claim(server, 'drifty', 'zed', 10);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.labelsNeeded === 2)).toBe(true);
  });
});
