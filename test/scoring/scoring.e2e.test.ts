import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('scoring predictions against the training distribution', () => {
  let server: TestServer;
  let m: SeededModel;
  const send = (predictions: unknown[]) => server.request('POST', `/v1/models/${m.name}/predictions`, { predictions });

  beforeAll(async () => {
    // Three search threads whatever the machine's cores: every replica must answer exactly.
    server = await startTestServer({ env: { DRIFTLOOP_SEARCH_REPLICAS: '3' } });
    m = await seedModel(server, { dim: 32, clusters: 5, examples: 3000, spread: 0.35 });
  });
  afterAll(() => server.stop());

  it('when the eval split is large enough, then the model reports eval calibration', async () => {
    const model = (await server.request('GET', `/v1/models/${m.name}`)).body;
    expect(model.counts.examples.eval).toBeGreaterThan(500);
    expect(model.calibration).toEqual({ source: 'eval', size: model.counts.examples.eval });
  });

  it('when production matches training, then about 5% are flagged OOD (calibrated, not a raw radius)', async () => {
    const predictions = Array.from({ length: 1000 }, (_, i) => predictionFor(m, `in-${i}`, i % 5));
    let flagged = 0;
    for (let i = 0; i < predictions.length; i += 250) {
      const res = await send(predictions.slice(i, i + 250));
      expect(res.status).toBe(200);
      flagged += res.body.results.filter((r: any) => r.ood.isOod).length;
    }
    // Binomial(1000, 0.05): mean 50, sd ≈ 6.9; 25..80 is beyond ±3.5 sd.
    expect(flagged).toBeGreaterThan(25);
    expect(flagged).toBeLessThan(80);
  });

  it('when production comes from a new region, then it is OOD with a score near 1 and a high priority', async () => {
    const res = await send(Array.from({ length: 20 }, (_, i) => predictionFor(m, `far-${i}`, 0, { outlier: true })));
    for (const r of res.body.results) {
      expect(r.ood.isOod).toBe(true);
      expect(r.ood.score).toBeGreaterThanOrEqual(0.99);
    }
    const near = await send([predictionFor(m, 'near-1', 1, { top: 0.95 })]);
    expect(near.body.results[0].ood.isOod).toBe(false);
    expect(res.body.results[0].priority).toBeGreaterThan(near.body.results[0].priority);
  });

  it('when the predicted concept differs from the neighbours’ vote, then the disagreement raises priority', async () => {
    const embedding = m.data.point(2);
    const agree = { id: 'agree', embedding, scores: m.data.scores(m.concepts, 2, 0.9) };
    const disagree = { id: 'disagree', embedding, scores: m.data.scores(m.concepts, 3, 0.9) };
    const res = await send([agree, disagree]);
    const [a, d] = res.body.results;
    expect(a.ood).toEqual(d.ood);
    expect(a.uncertainty).toBeCloseTo(d.uncertainty, 12);
    expect(d.priority).toBeGreaterThan(a.priority);
    const rows = await server.driftloop.services.database.db
      .selectFrom('predictions')
      .select(['id', 'disagreement', 'knn_concept'])
      .where('id', 'in', ['agree', 'disagree'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 'agree', disagreement: 0, knn_concept: 'c2' },
      { id: 'disagree', disagreement: 1, knn_concept: 'c2' },
    ]);
  });

  it('when the eval split is small, then scoring falls back to leave-one-out train calibration', async () => {
    const small = await seedModel(server, { name: 'small', dim: 8, examples: 60 });
    const model = (await server.request('GET', `/v1/models/${small.name}`)).body;
    expect(model.calibration.source).toBe('leave-one-out');
    const res = await server.request('POST', `/v1/models/small/predictions`, { predictions: [predictionFor(small, 's1', 0, { outlier: true })] });
    expect(res.body.results[0].ood.isOod).toBe(true);
  });

  it('when predictions are measured on the search threads, then each thread’s measurements equal the main thread’s exactly', async () => {
    // Examples added after the replica was loaded reach it as adds, in the same order.
    const late = Array.from({ length: 300 }, (_, i) => ({ id: `late-${i}`, embedding: m.data.point(i % 5), concepts: [m.concepts[i % 5]!] }));
    expect((await server.request('POST', `/v1/models/${m.name}/examples`, { examples: late })).status).toBe(200);
    const { models, references, searchPool } = server.driftloop.services;
    const model = await models.get(m.name);
    const set = await references.get(model);
    expect(searchPool.members.length).toBe(3);
    // The 3000 seeded examples were a bulk load: two threads held their adds back, and the
    // follower's first quiet poll (every second) makes them insert what they kept.
    for (let i = 0; i < 500 && searchPool.readyCount(model.id) < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(searchPool.readyCount(model.id)).toBe(searchPool.members.length);
    const vectors = Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? m.data.outlier() : m.data.point(i % 5)));
    const expected = vectors.map((v) => set.measure(v));
    // As many batches at once as there are threads: each goes to a different thread.
    const batches = await Promise.all(searchPool.members.map(() => set.measureMany(vectors)));
    for (const measured of batches) expect(measured).toEqual(expected);
  });

  it('when the search threads die, then scoring goes on and the restarted threads answer exactly as the main thread', async () => {
    const { models, references, searchPool } = server.driftloop.services;
    const model = await models.get(m.name);
    const set = await references.get(model);
    const threads = searchPool.members.length;
    let restarts = 0;
    searchPool.onRestart(() => restarts++);
    // A replica that cannot take an add ends its thread: this add reaches every thread.
    searchPool.add(model.id, 1e9, [1, 2, 3]);
    const during = await send(Array.from({ length: 50 }, (_, i) => predictionFor(m, `crash-${i}`, i % 5)));
    expect(during.status).toBe(200);
    const reloaded = () => restarts === threads && searchPool.readyCount(model.id) === threads;
    for (let i = 0; i < 500 && !reloaded(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(reloaded()).toBe(true);
    const vectors = Array.from({ length: 100 }, (_, i) => m.data.point(i % 5));
    expect(await set.measureMany(vectors)).toEqual(vectors.map((v) => set.measure(v)));
  });

  it('when a batch has no training data yet, then it is refused with 409', async () => {
    await server.request('PUT', '/v1/models/empty', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] });
    const res = await server.request('POST', '/v1/models/empty/predictions', { predictions: [{ id: 'x', embedding: [1, 0], scores: { a: 1, b: 0 } }] });
    expect(res.status).toBe(409);
  });
});
