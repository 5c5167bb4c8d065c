import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/util/random.js';
import { RETRAIN_JOB } from '../../../src/training/training.service.js';
import { FixtureLabels } from '../../support/labeled-production.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { CONCEPTS, DriftData, modelDefinition } from '../support/generated.js';

const MANUAL = { evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000, windowSize: 200 };
type Kind = 'ood' | 'performance';

/**
 * `retrain.triggers` says which kinds of drift event may queue a retraining. Each case
 * raises real events through a drift evaluation (OOD inputs with confident, right scores:
 * an `ood` event only; in-distribution inputs whose scores name the wrong concept: a
 * `performance` event only) with one new label in hand, and checks whether a job was queued.
 */
describe('retrain.triggers', () => {
  let server: TestServer;
  const labels = new FixtureLabels();
  beforeAll(async () => {
    server = await startTestServer({ replace: { labeledSource: () => labels } });
  });
  afterAll(() => server.stop());

  async function scenario(name: string, triggers: Kind[], raise: Kind) {
    const gen = new DriftData(8, 31);
    const rand = mulberry32(4);
    const settings = { drift: MANUAL, retrain: { triggers, minNewLabels: 1, cooldownMinutes: 0, epochs: 2 } };
    expect((await server.request('PUT', `/v1/models/${name}`, modelDefinition(8, settings))).status).toBe(201);
    expect((await server.request('POST', `/v1/models/${name}/examples`, { examples: gen.examples(600) })).status).toBe(200);
    // Eval inputs sent with the app's scores: right 90% of the time at 0.9 (the accuracy estimate's calibration).
    const evalExamples = gen.examples(400, `${name}-eval`).map((e) => {
      const truth = CONCEPTS.indexOf(e.concepts[0]!);
      return { ...e, split: 'eval' as const, scores: gen.data.scores(CONCEPTS, rand() < 0.9 ? truth : (truth + 1) % CONCEPTS.length, 0.9) };
    });
    expect((await server.request('POST', `/v1/models/${name}/examples`, { examples: evalExamples })).status).toBe(200);
    const model = await server.driftloop.services.models.get(name);
    labels.label(model.id, [{ id: `${name}-label`, embedding: gen.data.point(0), concepts: [CONCEPTS[0]!] }]);

    const calm = gen.predictions(60, { confidence: [0.9, 0.9] });
    const rest =
      raise === 'ood'
        ? gen.predictions(140, { shift: 0.6, confidence: [0.9, 0.9] })
        : Array.from({ length: 140 }, (_, i) => {
            const c = i % CONCEPTS.length;
            return { id: `wrong-${i}`, embedding: gen.data.point(c), scores: gen.data.scores(CONCEPTS, (c + 1) % CONCEPTS.length, 0.9) };
          });
    expect((await server.request('POST', `/v1/models/${name}/predictions`, { predictions: [...calm, ...rest] })).status).toBe(200);

    // The bus runs handlers in subscription order: this one runs after the composition root's retrain trigger is done.
    const handled = new Promise<void>((resolve) => {
      const off = server.driftloop.services.events.on('DriftRaised', ({ model: m }) => {
        if (m.name !== name) return;
        off();
        resolve();
      });
    });
    const drift = (await server.request('GET', `/v1/models/${name}/drift`)).body;
    await handled;
    const kinds = [...new Set(drift.events.map((e: { kind: Kind }) => e.kind))];
    const job = await server.driftloop.services.jobs.latest(model.id, RETRAIN_JOB);
    return { kinds, queued: job !== undefined };
  }

  it.each([
    { triggers: ['ood', 'performance'] as Kind[], raise: 'ood' as Kind, queued: true },
    { triggers: ['ood'] as Kind[], raise: 'ood' as Kind, queued: true },
    { triggers: ['performance'] as Kind[], raise: 'ood' as Kind, queued: false },
    { triggers: ['ood', 'performance'] as Kind[], raise: 'performance' as Kind, queued: true },
    { triggers: ['performance'] as Kind[], raise: 'performance' as Kind, queued: true },
    { triggers: ['ood'] as Kind[], raise: 'performance' as Kind, queued: false },
    { triggers: [] as Kind[], raise: 'ood' as Kind, queued: false },
    { triggers: [] as Kind[], raise: 'performance' as Kind, queued: false },
  ])('when triggers are $triggers and only a $raise event is raised, then a retrain is queued: $queued', async ({ triggers, raise, queued }) => {
    const result = await scenario(`trig-${triggers.join('-') || 'none'}-${raise}`, triggers, raise);
    expect(result.kinds).toEqual([raise]);
    expect(result.queued).toBe(queued);
  });
});
