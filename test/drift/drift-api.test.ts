import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { betaBinomialSfAtLeast, binomialTestGreater, chiSquareGoodnessOfFit, ksTwoSample } from '../../src/drift/stats/index.js';
import { calibrationLaw } from '../../src/reference/calibration-law.js';
import { splitForId } from '../../src/util/hash-split.js';
import { DriftProviderStandIns } from '../support/drift-providers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { CONCEPTS, DriftData, modelDefinition } from './support/generated.js';
import { eventually } from './support/receiver.js';

const MANUAL = { evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 };
type Prediction = ReturnType<DriftData['predictions']>[number];

function argmax(scores: Record<string, number>): string {
  return Object.entries(scores).reduce((best, e) => (e[1] > best[1] ? e : best))[0];
}

describe('drift API', () => {
  let server: TestServer;
  const providers = new DriftProviderStandIns();
  beforeAll(async () => {
    server = await startTestServer({ replace: { driftProviders: providers.wrap } });
  });
  afterAll(() => server.stop());

  /** A model trained on 800 generated examples; returns what was sent so tests can recompute. */
  async function model(name: string, drift: Record<string, unknown>, seed = 3) {
    const gen = new DriftData(8, seed);
    expect((await server.request('PUT', `/v1/models/${name}`, modelDefinition(8, { drift: { ...MANUAL, ...drift } }))).status).toBe(201);
    const examples = gen.examples(800);
    expect((await server.request('POST', `/v1/models/${name}/examples`, { examples })).status).toBe(200);
    const sent: Prediction[] = [];
    const send = async (predictions: Prediction[]) => {
      const res = await server.request('POST', `/v1/models/${name}/predictions`, { predictions });
      expect(res.status).toBe(200);
      sent.push(...predictions);
      return res.body.results as { id: string; ood: { isOod: boolean } }[];
    };
    const drift_ = async () => {
      const res = await server.request('GET', `/v1/models/${name}/drift`);
      expect(res.status).toBe(200);
      return res.body;
    };
    const test = async (testName: string) => (await drift_()).tests.find((t: { name: string }) => t.name === testName);
    return { gen, examples, sent, send, drift: drift_, test };
  }

  it('when predictions arrive, then GET drift answers the contract shape with all five tests', async () => {
    const m = await model('shape', { windowSize: 50 });
    await m.send(m.gen.predictions(30));
    const body = await m.drift();
    expect(body).toMatchObject({ status: 'ok', threshold: 0.15, window: { size: 50, count: 30 }, model: 'shape' });
    expect(typeof body.score).toBe('number');
    expect(body.tests.map((t: { name: string }) => t.name)).toEqual(['ood_rate', 'embedding_mmd', 'prediction_shift', 'confidence_shift', 'labeled_accuracy']);
    for (const t of body.tests) expect(Object.keys(t)).toEqual(expect.arrayContaining(['name', 'statistic', 'pValue', 'drift']));
    expect(body.history).toHaveLength(1);
    expect(body.history[0]).toMatchObject({ toSeq: body.window.toSeq, count: 30, status: 'ok' });
  });

  it('when the window holds OOD predictions, then ood_rate is the one-sided beta-binomial test of their count for the calibration size, and the score is their rate', async () => {
    const m = await model('ood', { windowSize: 60 });
    const results = [...(await m.send(m.gen.predictions(45))), ...(await m.send(m.gen.outliers(15)))];
    const k = results.filter((r) => r.ood.isOod).length;
    const body = await m.drift();
    const ood = body.tests[0];
    expect(body.score).toBeCloseTo(k / 60, 12);
    expect(ood.statistic).toBeCloseTo(k / 60, 12);
    // Beta-binomial: the promised 5% itself varies with the draw of the calibration set.
    const law = calibrationLaw(0.95, ood.details.calibrationSize);
    expect(ood.details).toMatchObject({ method: 'beta-binomial', expectedRate: law.expected });
    expect(ood.pValue).toBeCloseTo(betaBinomialSfAtLeast(k, 60, law.a, law.b), 12);
    expect(ood.pValue).toBeGreaterThan(binomialTestGreater(k, 60, 0.05));
    expect(ood.drift).toBe(k / 60 >= 0.15 && ood.pValue < 0.01);
    expect(body.status).toBe(ood.drift ? 'drift' : 'ok');
    expect(body.status).toBe('drift');
  });

  it('when the predicted mix differs from training, then prediction_shift is the chi-square test against training label counts', async () => {
    const m = await model('mix', { windowSize: 80 });
    await m.send(m.gen.predictions(80, { prior: [0.7, 0.1, 0.1, 0.1] }));
    const observed = CONCEPTS.map((c) => m.sent.filter((p) => argmax(p.scores) === c).length);
    const training = CONCEPTS.map((c) => m.examples.filter((e) => splitForId(e.id) === 'train' && e.concepts[0] === c).length);
    const expected = chiSquareGoodnessOfFit(observed, training);
    const t = await m.test('prediction_shift');
    expect(t.statistic).toBeCloseTo(expected.statistic, 9);
    expect(t.pValue).toBeCloseTo(expected.pValue, 12);
    expect(t.details.df).toBe(3);
    expect(t.drift).toBe(true);
  });

  it('when production confidence drops, then confidence_shift is the KS test of window top-1 scores against the app’s first window (reference period)', async () => {
    const m = await model('conf', { windowSize: 50 });
    await m.send(m.gen.predictions(50, { confidence: [0.7, 0.99] }));
    await m.send(m.gen.predictions(50, { confidence: [0.3, 0.8] }));
    const top = (p: Prediction) => Math.max(...Object.values(p.scores));
    const expected = ksTwoSample(m.sent.slice(50).map(top), m.sent.slice(0, 50).map(top));
    const t = await m.test('confidence_shift');
    expect(t.statistic).toBeCloseTo(expected.statistic, 12);
    expect(t.pValue).toBeCloseTo(expected.pValue, 12);
    expect(t.details.baselineSource).toBe("the app's first 50 predictions (reference period)");
    expect(t.drift).toBe(true);
  });

  it('when embeddings move, then embedding_mmd flags them using bounded samples of the window and of training', async () => {
    const m = await model('mmd', { windowSize: 60, mmd: { referenceSize: 150, windowSample: 40, permutations: 300 } });
    await m.send(m.gen.predictions(60));
    const same = await m.test('embedding_mmd');
    expect(same.drift).toBe(false);
    expect(same.details).toMatchObject({ referenceSample: 150, windowSample: 40, permutations: 300 });
    await m.send(m.gen.predictions(60, { shift: 0.5 }));
    const moved = await m.test('embedding_mmd');
    expect(moved.drift).toBe(true);
    expect(moved.pValue).toBeCloseTo(1 / 301, 12);
    expect(moved.statistic).toBeGreaterThan(same.statistic);
  });

  it('when no labeled production items exist, then labeled_accuracy reports not enough data; with a provider, it is the Wilson test against eval accuracy', async () => {
    const m = await model('acc', { windowSize: 40, minLabeled: 30 });
    await m.send(m.gen.predictions(40));
    const none = await m.test('labeled_accuracy');
    expect(none).toMatchObject({ status: 'insufficient_data', statistic: null, pValue: null, drift: false });
    expect(none.summary).toMatch(/not enough data/i);
    providers.set({ labeledAccuracy: async () => ({ production: { correct: 42, total: 60 }, evalAccuracy: 0.9 }) });
    const t = await m.test('labeled_accuracy');
    expect(t.statistic).toBeCloseTo(0.7, 12);
    expect(t.details.upper).toBeLessThan(0.9);
    expect(t.pValue).toBeLessThan(0.01);
    expect(t.drift).toBe(true);
    providers.set({ labeledAccuracy: undefined });
  });

  it('when GET drift repeats without new predictions, then history does not grow; new predictions add a point', async () => {
    const m = await model('hist', { windowSize: 40 });
    await m.send(m.gen.predictions(40));
    await m.drift();
    await m.drift();
    expect((await m.drift()).history).toHaveLength(1);
    await m.send(m.gen.predictions(10));
    expect((await m.drift()).history).toHaveLength(2);
  });

  it('when enough predictions are ingested, then drift is evaluated and recorded without any GET', async () => {
    const m = await model('auto', { windowSize: 40, evaluateEvery: 20, evaluateAfterSeconds: 30 });
    await m.send(m.gen.predictions(25));
    const { db } = server.driftloop.services.database;
    const snapshot = await eventually(() => db.selectFrom('drift_snapshots').selectAll().where('window_count', '=', 25).executeTakeFirst());
    expect(snapshot.status).toBe('ok');
  });

  it('when an unknown model is asked for, then drift and report answer 404', async () => {
    expect((await server.request('GET', '/v1/models/nope/drift')).status).toBe(404);
    expect((await server.request('GET', '/v1/models/nope/report')).status).toBe(404);
  });
});

describe('drift API with keys', () => {
  let server: TestServer;
  const admin = 'admin-key-for-tests-0123456789';
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: admin } });
    await server.request('PUT', '/v1/models/k', modelDefinition(4), admin);
  });
  afterAll(() => server.stop());

  it('when keys are configured, then any valid key reads drift and the report API, the pages are for admins, and no key is refused', async () => {
    const { key: ingest } = await server.driftloop.services.keys.create('ingest', 'app');
    const { key: label } = await server.driftloop.services.keys.create('label', 'person');
    for (const path of ['/v1/models/k/drift', '/v1/models/k/report?format=json', '/ui/models/k/report', '/']) {
      expect((await server.request('GET', path)).status).toBe(401);
      const pageForAdmins = !path.startsWith('/v1/');
      expect((await server.request('GET', path, undefined, ingest)).status).toBe(pageForAdmins ? 403 : 200);
      expect((await server.request('GET', path, undefined, label)).status).toBe(pageForAdmins ? 403 : 200);
      expect((await server.request('GET', path, undefined, admin)).status).toBe(200);
    }
  });
});
