import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.js';
import { claim, label } from '../../queue/support.js';
import { DriftData, modelDefinition } from '../support/generated.js';

const MANUAL = { evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 };

describe('performance in GET drift', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  async function drifted(name: string) {
    const gen = new DriftData(8, 21);
    expect((await server.request('PUT', `/v1/models/${name}`, modelDefinition(8, { drift: { ...MANUAL, windowSize: 200 } }))).status).toBe(201);
    expect((await server.request('POST', `/v1/models/${name}/examples`, { examples: gen.examples(600) })).status).toBe(200);
    const predictions = [...gen.predictions(120), ...gen.newRegion(80, 0)];
    expect((await server.request('POST', `/v1/models/${name}/predictions`, { predictions })).status).toBe(200);
    return predictions;
  }

  const performance = async (name: string) => {
    const res = await server.request('GET', `/v1/models/${name}/drift`);
    expect(res.status).toBe(200);
    return res.body.performance;
  };

  it('when no champion and no label exist, then the estimate takes scores at face value, says so, and has no reference', async () => {
    const sent = await drifted('perf-free');
    const p = await performance('perf-free');
    expect(Object.keys(p).sort()).toEqual(['estimatedAccuracy', 'interval', 'labeled', 'method', 'reference']);
    expect(p.method).toMatch(/^cbpe-knn-openset \(uncalibrated/);
    expect(p.reference).toBeNull();
    expect(p.labeled).toBeNull();
    const meanTop = sent.reduce((a, s) => a + Math.max(...Object.values(s.scores)), 0) / sent.length;
    // OOD predictions are discounted by the open-set prior, so the estimate sits below the mean score.
    expect(p.estimatedAccuracy).toBeLessThan(meanTop);
    expect(p.estimatedAccuracy).toBeGreaterThan(meanTop * 0.7);
    expect(p.interval[0]).toBeLessThan(p.estimatedAccuracy);
    expect(p.interval[1]).toBeGreaterThan(p.estimatedAccuracy);
  });

  it('when labelers answer that the queued new-region items are concepts outside the taxonomy, then the estimate drops and labeled reports them', async () => {
    await drifted('perf-labeled');
    const overview = await server.request('GET', '/v1/models/perf-labeled/drift');
    expect(overview.body.status).toBe('drift');
    // The evaluation answers once the queue favours the drifted items: the claim below is not handed the rest while the boost still holds them.
    const { id } = await server.driftloop.services.models.get('perf-labeled');
    const boosted = await server.driftloop.services.database.db
      .selectFrom('queue_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('model_id', '=', id)
      .where('prediction_id', 'like', 'region%')
      .where('drift_boost', '>', 0)
      .executeTakeFirstOrThrow();
    expect(Number(boosted.n)).toBeGreaterThanOrEqual(20);
    const before = overview.body.performance;
    const items = await claim(server, 'perf-labeled', 'ana', 50);
    const novel = items.filter((i) => i.predictionId.startsWith('region'));
    expect(novel.length).toBeGreaterThanOrEqual(20);
    const res = await label(server, 'perf-labeled', novel.map((i) => ({ itemId: i.itemId, labeler: 'ana', concepts: [], newConcepts: ['porter'] })));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await performance('perf-labeled');
    expect(after.labeled).toEqual({ n: novel.length, accuracy: 0 });
    expect(after.method).toMatch(/stratified-difference/);
    expect(after.estimatedAccuracy).toBeLessThan(before.estimatedAccuracy - 0.05);
    expect(after.interval[1]).toBeLessThan(before.interval[1]);
  });
});
