import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ksTwoSample } from '../../src/drift/stats/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitForJob } from '../support/training-fixtures.js';
import { CONCEPTS, DriftData, modelDefinition } from './support/generated.js';

const MANUAL = { evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 };
const top = (p: object) => Math.max(...Object.values((p as { scores: Record<string, number> }).scores));

/** confidence_shift compares the app's scores with the app's own, never with driftloop's classifier. */
describe('confidence_shift reference', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  /** A model with training examples (`withScores`: each carrying the app's scores). */
  async function model(name: string, windowSize: number, settings: Record<string, unknown> = {}, withScores = false) {
    const gen = new DriftData(8, 11);
    expect((await server.request('PUT', `/v1/models/${name}`, modelDefinition(8, { drift: { ...MANUAL, windowSize }, ...settings }))).status).toBe(201);
    const examples = gen.examples(600).map((e, i) => (withScores ? { ...e, scores: gen.data.scores(CONCEPTS, CONCEPTS.indexOf(e.concepts[0]!), 0.7 + (0.25 * i) / 599) } : e));
    expect((await server.request('POST', `/v1/models/${name}/examples`, { examples })).status).toBe(200);
    const send = async (predictions: unknown[]) => expect((await server.request('POST', `/v1/models/${name}/predictions`, { predictions })).status).toBe(200);
    const test = async () => (await server.request('GET', `/v1/models/${name}/drift`)).body.tests.find((t: { name: string }) => t.name === 'confidence_shift');
    return { gen, send, test, examples };
  }

  it('when no reference exists yet, then confidence_shift says so instead of comparing the window with itself', async () => {
    const m = await model('fresh', 50);
    await m.send(m.gen.predictions(30, { confidence: [0.6, 0.95] }));
    const t = await m.test();
    expect(t.status).toBe('insufficient_data');
    expect(t.drift).toBe(false);
    expect(t.summary).toMatch(/^No reference yet/);
    expect(t.details.baselineSource).toBeNull();
    // Still none while the window overlaps the reference period.
    await m.send(m.gen.predictions(40, { confidence: [0.6, 0.95] }));
    expect((await m.test()).summary).toMatch(/^No reference yet/);
  });

  it('when a champion exists and the app’s traffic is normal, then confidence_shift compares with the app’s reference period, not the champion, and does not alarm', async () => {
    const m = await model('champ', 60, { retrain: { epochs: 15 } });
    const job = await server.request('POST', '/v1/models/champ/retrain');
    expect((await waitForJob(server, job.body.jobId)).status).toBe('succeeded');
    // The app's own classifier is less sure than driftloop's champion on clean eval data (≈1.0).
    const sent = m.gen.predictions(120, { confidence: [0.6, 0.95] });
    await m.send(sent);
    const t = await m.test();
    expect(t.details.baselineSource).toBe("the app's first 60 predictions (reference period)");
    expect(t.statistic).toBeCloseTo(ksTwoSample(sent.slice(60).map(top), sent.slice(0, 60).map(top)).statistic, 12);
    expect(t.drift).toBe(false);
  }, 60_000);

  it('when examples come with the app’s scores, then they are the reference; lower production confidence is a shift against them', async () => {
    const m = await model('withscores', 50, {}, true);
    const normal = m.gen.predictions(50, { confidence: [0.7, 0.95] });
    await m.send(normal);
    const same = await m.test();
    expect(same.details.baselineSource).toBe("the app's scores on 600 examples");
    expect(same.statistic).toBeCloseTo(ksTwoSample(normal.map(top), m.examples.map(top)).statistic, 12);
    expect(same.drift).toBe(false);
    await m.send(m.gen.predictions(50, { confidence: [0.3, 0.6] }));
    expect((await m.test()).drift).toBe(true);
  });

  it('when an example’s scores name a concept outside the taxonomy or miss one, then the batch is refused', async () => {
    await model('badscores', 50);
    const gen = new DriftData(8, 12);
    const [a, b] = gen.examples(2);
    const res = await server.request('POST', '/v1/models/badscores/examples', {
      examples: [
        { ...a, scores: { lager: 0.9, stout: 0.1, ipa: 0, wheat: 0 } },
        { ...b, scores: { lager: 0.9, porter: 0.1 } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.indexes).toEqual([1]);
  });
});
