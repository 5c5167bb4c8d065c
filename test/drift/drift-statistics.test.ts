import { afterEach, describe, expect, it } from 'vitest';
import type { Container } from '../../src/composition/container.js';
import type { DriftEvaluation } from '../../src/drift/drift.types.js';
import type { Model } from '../../src/models/model.js';
import { DriftData } from './support/generated.js';
import { closeServices, MANUAL_EVALUATION, openServices, trainedModel } from './support/services.js';

// Statistical behaviour on generated data (a 4-cluster Gaussian mixture in 16 dims, cluster
// spread 0.3, 2000 training examples), run at the service level for speed: same code path
// as GET /drift minus HTTP. Window 100 predictions.
const WINDOW = 100;

function testOf(e: DriftEvaluation, name: string) {
  return e.tests.find((t) => t.name === name)!;
}

describe('drift statistics on generated data', () => {
  let s: Container | undefined;
  afterEach(async () => {
    if (s) await closeServices(s);
    s = undefined;
  });

  async function setup(seed: number): Promise<{ s: Container; gen: DriftData; model: Model }> {
    s = await openServices();
    const gen = new DriftData(16, seed);
    const model = await trainedModel(s, `m${seed}`, gen, 2000, { windowSize: WINDOW, ...MANUAL_EVALUATION });
    return { s, gen, model };
  }

  it('when production matches training over 120 windows, then the drift status false-alarm rate is at most 2%', async () => {
    const { s, gen, model } = await setup(7);
    const windows = 120;
    let alarms = 0;
    const testAlarms = new Map<string, number>();
    for (let w = 0; w < windows; w++) {
      await s.predictions.ingest(model, gen.predictions(WINDOW));
      const { evaluation } = await s.drift.evaluate(model, { record: false });
      expect(evaluation.window.count).toBe(WINDOW);
      if (evaluation.status === 'drift') alarms++;
      for (const t of evaluation.tests) if (t.drift) testAlarms.set(t.name, (testAlarms.get(t.name) ?? 0) + 1);
    }
    expect(alarms / windows).toBeLessThanOrEqual(0.02);
    // Each test alone stays near its nominal level (alpha = 0.01) too: its null is valid.
    for (const [, n] of testAlarms) expect(n / windows).toBeLessThanOrEqual(0.05);
  });

  it.each([7, 8, 9])(
    'when every embedding shifts by one within-cluster standard deviation (0.3) on every axis, then drift is flagged within one window of the start (seed %i)',
    async (seed) => {
      const { s, gen, model } = await setup(seed);
      await s.predictions.ingest(model, gen.predictions(2 * WINDOW));
      const before = (await s.drift.evaluate(model, { record: false })).evaluation;
      expect(before.status).toBe('ok');
      let detectedAfter: number | undefined;
      for (let n = 10; n <= WINDOW; n += 10) {
        await s.predictions.ingest(model, gen.predictions(10, { shift: 0.3 }));
        const { evaluation } = await s.drift.evaluate(model, { record: false });
        if (evaluation.status === 'drift' && detectedAfter === undefined) {
          detectedAfter = n;
          expect(testOf(evaluation, 'ood_rate').drift).toBe(true);
        }
      }
      expect(detectedAfter).toBeDefined();
      expect(detectedAfter!).toBeLessThanOrEqual(WINDOW);
      // Once the window holds only shifted data, the embedding test sees it too.
      const after = (await s.drift.evaluate(model, { record: false })).evaluation;
      expect(after.status).toBe('drift');
      expect(testOf(after, 'embedding_mmd').drift).toBe(true);
    },
  );

  it('when the label prior shifts within the same embedding region, then prediction_shift fires and ood_rate does not', async () => {
    const { s, gen, model } = await setup(7);
    await s.predictions.ingest(model, gen.predictions(2 * WINDOW));
    const prior = [0.55, 0.15, 0.15, 0.15];
    for (let w = 0; w < 5; w++) {
      await s.predictions.ingest(model, gen.predictions(WINDOW, { prior }));
      const { evaluation } = await s.drift.evaluate(model, { record: false });
      const shift = testOf(evaluation, 'prediction_shift');
      expect(shift.drift).toBe(true);
      expect(shift.effect).toBeGreaterThan(0.15);
      expect(testOf(evaluation, 'ood_rate').drift).toBe(false);
      expect(evaluation.status).toBe('ok');
    }
  });
});
