import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../src/models/model.js';
import { FixtureLabels } from '../support/labeled-production.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ClusteredData, seedModel, shiftedItems, waitForJob } from '../support/training-fixtures.js';

describe('automatic retraining trigger', () => {
  let server: TestServer;
  const labels = new FixtureLabels();
  const data = new ClusteredData({ dim: 8, clusters: 3, spread: 0.6, seed: 13 });
  const model = () => server.driftloop.services.models.get('auto');
  const trigger = async (now?: Date) => server.driftloop.services.training.maybeAutoRetrain(await model(), now);
  const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);

  beforeAll(async () => {
    server = await startTestServer({ replace: { labeledSource: () => labels } });
    await seedModel(server, 'auto', data, { perConcept: 40, settings: { retrain: { minNewLabels: 30, cooldownMinutes: 60 } } });
  });
  afterAll(() => server.stop());

  it('when drift fires before enough labels exist, then no job is queued', async () => {
    labels.label((await model()).id, shiftedItems(data, 'early', 10, 0.5));
    expect(await trigger()).toMatchObject({ queued: false, reason: 'not_enough_labels', message: expect.stringMatching(/^10 labels since/) });
  });

  it('when enough labels exist, then one job is queued and a second drift event does not queue another', async () => {
    labels.label((await model()).id, shiftedItems(data, 'more', 30, 0.5));
    const queued = await trigger();
    expect(queued).toMatchObject({ queued: true, newLabels: 40 });
    const again = await trigger();
    expect(again).toMatchObject({ queued: false, reason: 'already_queued' });
    const job = await waitForJob(server, (queued as { jobId: string }).jobId);
    expect(job.result).toMatchObject({ version: 1, status: 'champion' });
  });

  it('when the cooldown has not passed, then no job is queued; after it, labels before the champion no longer count', async () => {
    expect(await trigger()).toMatchObject({ queued: false, reason: 'cooldown' });
    expect(await trigger(later(61))).toMatchObject({ queued: false, reason: 'not_enough_labels', message: expect.stringMatching(/^0 labels since/) });
  });

  it('when new labels arrive after the cooldown, then the trigger queues a retrain', async () => {
    labels.label((await model()).id, shiftedItems(data, 'new', 30, 0.5));
    const queued = await trigger(later(61));
    expect(queued).toMatchObject({ queued: true, newLabels: 30 });
    expect((await waitForJob(server, (queued as { jobId: string }).jobId)).status).toBe('succeeded');
  });

  it('when retrain.auto is off, then the trigger never queues', async () => {
    const m: Model = await model();
    await server.request('PUT', '/v1/models/auto', { task: 'multiclass', embeddingDim: 8, concepts: m.concepts, settings: { retrain: { auto: false } } });
    expect(await trigger(later(600))).toMatchObject({ queued: false, reason: 'auto_off' });
  });
});
