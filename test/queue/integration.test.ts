import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, confident, ingest, label, outliers, setupModel, type Fixture } from './support.js';

describe('the queue as drift and retraining see it', () => {
  let server: TestServer;
  let f: Fixture;
  beforeAll(async () => {
    server = await startTestServer();
    f = await setupModel(server, 'wired', { queue: { uncertaintyThreshold: 0 } });
  });
  afterAll(() => server.stop());

  it('when drift asks the queue to favour drifted samples, then recent OOD items come first with the drift reason', async () => {
    const [far] = outliers(f.data, 1);
    await ingest(server, 'wired', [
      { id: 'near', embedding: f.data.point(0), scores: { lager: 0.5, stout: 0.45, ipa: 0.05 } },
      { id: 'far', embedding: far!, scores: confident(1) },
    ]);
    const { events, models } = server.driftloop.services;
    const model = await models.get('wired');
    const event = { id: 0, kind: 'ood' as const, severity: 'warning' as const, modelId: model.id, model: model.name, at: new Date(0).toISOString(), score: 1, threshold: 0.15, pValue: 0, snapshotId: 0, deliveries: [] };
    await events.publish({ type: 'DriftRaised', model, event });
    const [top] = await claim(server, 'wired', 'ann', 1);
    expect(top).toMatchObject({ predictionId: 'far', reasons: expect.arrayContaining(['ood', 'drift']) });
    await label(server, 'wired', [{ itemId: top!.itemId, labeler: 'ann', concepts: [], skip: true }]);
  });

  it('when labels agree with the model or not, then drift reads production accuracy and retraining counts the new labels', async () => {
    const preds = [0, 1, 2, 0].map((c, i) => ({ id: `acc-${i}`, embedding: f.data.point(c), scores: confident(c) }));
    await ingest(server, 'wired', preds);
    const items = (await claim(server, 'wired', 'bob', 10)).filter((i) => i.predictionId.startsWith('acc-'));
    expect(items).toHaveLength(4);
    // The model said lager, stout, ipa, lager; bob agrees three times.
    const truth: Record<string, string> = { 'acc-0': 'lager', 'acc-1': 'stout', 'acc-2': 'ipa', 'acc-3': 'stout' };
    const res = await label(server, 'wired', items.map((i) => ({ itemId: i.itemId, labeler: 'bob', concepts: [truth[i.predictionId]!] })));
    expect(res.status).toBe(200);
    const { driftProviders, models, training } = server.driftloop.services;
    const model = await models.get('wired');
    expect(await driftProviders.labeledAccuracy(model)).toEqual({ production: { correct: 3, total: 4 }, evalAccuracy: undefined });
    const decision = await training.maybeAutoRetrain(model);
    expect(decision).toMatchObject({ queued: false, reason: 'not_enough_labels', message: expect.stringMatching(/^4 labels since/) });
  });
});
