import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureLabels } from '../support/labeled-production.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { championAccuracy, ClusteredData, retrain, seedModel, waitForJob } from '../support/training-fixtures.js';

const SHIFT = 3;
const MAX_CLEAN_REGRESSION = 0.02;

describe('end to end: drifted production data, labels, retrain, promotion', () => {
  let server: TestServer;
  const labels = new FixtureLabels();
  const world = new ClusteredData({ dim: 16, clusters: 4, spread: 0.6, seed: 23 });
  const heldOut = (shift: number) => Array.from({ length: 200 }, (_, i) => ({ embedding: world.point(i % 4, shift), concepts: [`c${i % 4}`] }));
  const cleanTest = heldOut(0);
  const shiftedTest = heldOut(SHIFT);

  /** Forwards production traffic as an app does: the embedding plus the champion's scores. */
  async function forward(prefix: string, count: number): Promise<{ id: string; cluster: number; isOod: boolean }[]> {
    const points = Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, cluster: i % 4, embedding: world.point(i % 4, SHIFT) }));
    const scored = await server.request('POST', '/v1/models/perfect-pint/predict', { embeddings: points.map((p) => p.embedding) });
    const predictions = points.map((p, i) => ({ id: p.id, embedding: p.embedding, scores: scored.body.scores[i], modelVersion: String(scored.body.version) }));
    const res = await server.request('POST', '/v1/models/perfect-pint/predictions', { predictions });
    expect(res.status).toBe(200);
    return points.map((p, i) => ({ id: p.id, cluster: p.cluster, isOod: res.body.results[i].ood.isOod }));
  }

  beforeAll(async () => {
    server = await startTestServer({ replace: { labeledSource: () => labels } });
    await seedModel(server, 'perfect-pint', world, { perConcept: 80, settings: { retrain: { minNewLabels: 100, cooldownMinutes: 0 } } });
  });
  afterAll(() => server.stop());

  it('when the shifted data is labeled and the trigger fires, then the promoted version is better on shifted data and clean accuracy stays within the limit', async () => {
    expect((await retrain(server, 'perfect-pint')).result).toMatchObject({ version: 1, status: 'champion' });
    const before = { clean: await championAccuracy(server, 'perfect-pint', cleanTest), shifted: await championAccuracy(server, 'perfect-pint', shiftedTest) };
    expect(before.clean).toBeGreaterThan(0.95);
    expect(before.shifted).toBeLessThan(0.9);

    // Production drifts: most of it lies outside the training distribution.
    const traffic = await forward('ugc', 240);
    expect(traffic.filter((t) => t.isOod).length / traffic.length).toBeGreaterThan(0.5);

    // Labelers answer 220 of the items (what the review queue will provide).
    const model = await server.driftloop.services.models.get('perfect-pint');
    await labels.labelPredictions(
      server.driftloop.services.database.db,
      model.id,
      traffic.slice(0, 220).map((t) => ({ predictionId: t.id, concepts: [`c${t.cluster}`] })),
    );

    // The drift monitor's trigger: a drift event with enough labels since the champion.
    const trigger = await server.driftloop.services.training.maybeAutoRetrain(model);
    expect(trigger).toMatchObject({ queued: true, newLabels: 220 });
    const job = await waitForJob(server, (trigger as { jobId: string }).jobId);
    expect(job.result).toMatchObject({ version: 2, status: 'champion', promoted: true });

    const after = { clean: await championAccuracy(server, 'perfect-pint', cleanTest), shifted: await championAccuracy(server, 'perfect-pint', shiftedTest) };
    expect(after.shifted).toBeGreaterThan(before.shifted + 0.1);
    expect(after.shifted).toBeGreaterThan(0.95);
    expect(after.clean).toBeGreaterThanOrEqual(before.clean - MAX_CLEAN_REGRESSION);
    const [, v2] = (await server.request('GET', '/v1/models/perfect-pint/versions')).body;
    expect(v2.decision.comparison.cleanMacroF1.regression).toBeLessThanOrEqual(MAX_CLEAN_REGRESSION);
    expect(v2.trainedOn.labelIds).toHaveLength(220);
  });

  it('when the champion has learned the shifted data, then the reference distribution includes it and the same traffic is no longer out of distribution', async () => {
    const traffic = await forward('ugc-later', 120);
    expect(traffic.filter((t) => t.isOod).length / traffic.length).toBeLessThan(0.2);
  });
});
