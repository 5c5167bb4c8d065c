import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/util/random.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { CONCEPTS, DriftData, modelDefinition } from '../support/generated.js';
import { eventually, startReceiver, type Receiver } from '../support/receiver.js';

/** Moves every axis: inputs become OOD while the k-NN vote still backs the predicted concept. */
const SHIFT = 0.6;
const MANUAL = { evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 };

describe('performance events', () => {
  let server: TestServer;
  let receiver: Receiver | undefined;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_WEBHOOK_ALLOW: '127.0.0.1' } }); // the receiver listens on loopback
  });
  afterEach(() => receiver?.close());
  afterAll(() => server.stop());

  /** A model whose eval examples came with the app's scores: right 90% of the time at 0.9. */
  async function calibrated(name: string, settings: Record<string, unknown> = {}) {
    const gen = new DriftData(8, 31);
    const rand = mulberry32(4);
    const drift = { ...MANUAL, windowSize: 200, ...((settings.drift as object) ?? {}) };
    expect((await server.request('PUT', `/v1/models/${name}`, modelDefinition(8, { ...settings, drift }))).status).toBe(201);
    expect((await server.request('POST', `/v1/models/${name}/examples`, { examples: gen.examples(600) })).status).toBe(200);
    const evalExamples = gen.examples(400, `${name}-eval`).map((e) => {
      const truth = CONCEPTS.indexOf(e.concepts[0]!);
      const predicted = rand() < 0.9 ? truth : (truth + 1) % CONCEPTS.length;
      return { ...e, split: 'eval' as const, scores: gen.data.scores(CONCEPTS, predicted, 0.9) };
    });
    expect((await server.request('POST', `/v1/models/${name}/examples`, { examples: evalExamples })).status).toBe(200);
    const send = async (predictions: unknown[]) => expect((await server.request('POST', `/v1/models/${name}/predictions`, { predictions })).status).toBe(200);
    const drift_ = async () => (await server.request('GET', `/v1/models/${name}/drift`)).body;
    return { gen, send, drift: drift_ };
  }

  it('when the window is in-distribution and every prediction agrees with its neighbours, then the interval covers the true accuracy of 1 and no event is raised', async () => {
    const m = await calibrated('perf-calm');
    await m.send(m.gen.predictions(200, { confidence: [0.9, 0.9] }));
    const body = await m.drift();
    expect(body.performance.method).toMatch(/400 eval examples sent with scores/);
    expect(body.performance.reference).toBeCloseTo(0.9, 1);
    // Eval errors disagree with the k-NN vote; production predictions are the clusters' concepts, all right.
    expect(body.performance.interval[1]).toBe(1);
    expect(body.performance.estimatedAccuracy).toBeGreaterThan(0.95);
    expect(body.events).toEqual([]);
  });

  it('when new-region predictions come with low scores, then one critical performance event is raised with its own webhook payload, and the OOD event is critical too', async () => {
    receiver = await startReceiver();
    const m = await calibrated('perf-drop', { webhooks: [receiver.url] });
    await m.send([...m.gen.predictions(60, { confidence: [0.9, 0.9] }), ...m.gen.newRegion(140, 1)]);
    const body = await m.drift();
    const { performance } = body;
    expect(performance.interval[1]).toBeLessThan(performance.reference - 0.05);
    const kinds = body.events.map((e: { kind: string; severity: string }) => `${e.kind}:${e.severity}`).sort();
    expect(kinds).toEqual(['ood:critical', 'performance:critical']);
    await m.drift();
    expect((await m.drift()).events).toHaveLength(2);
    const hits = await receiver.waitFor(2);
    const payloads = hits.map((h) => JSON.parse(h.body));
    const perf = payloads.find((p) => p.kind === 'performance');
    expect(perf).toMatchObject({ type: 'drift.detected', kind: 'performance', severity: 'critical', model: 'perf-drop', maxAccuracyDrop: 0.05 });
    expect(perf.performance).toEqual(performance);
    expect(perf.drop).toBeCloseTo(performance.reference - performance.estimatedAccuracy, 10);
  });

  it('when OOD inputs keep confident scores, then the OOD event stays visible as a warning and no performance event is raised', async () => {
    const m = await calibrated('perf-harmless');
    await m.send([...m.gen.predictions(60, { confidence: [0.9, 0.9] }), ...m.gen.predictions(140, { shift: SHIFT, confidence: [0.9, 0.9] })]);
    const body = await eventually(async () => {
      const b = await m.drift();
      return b.events.length > 0 ? b : undefined;
    });
    expect(body.status).toBe('drift');
    expect(body.events.map((e: { kind: string; severity: string }) => `${e.kind}:${e.severity}`)).toEqual(['ood:warning']);
  });
});
