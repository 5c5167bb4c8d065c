import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ClusteredData, seedModel } from '../support/training-fixtures.js';

// batchSize 1 makes each epoch take long enough to watch and to cancel.
const SLOW = { retrain: { batchSize: 1, patience: 1000 } };

describe('jobs API', () => {
  let server: TestServer;
  const data = new ClusteredData({ dim: 8, clusters: 3, spread: 0.5, seed: 11 });
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('when a retrain runs, then GET /v1/jobs/{id} reports progress per epoch until it succeeds', async () => {
    await seedModel(server, 'progress', data, { perConcept: 60, settings: { retrain: { ...SLOW.retrain, epochs: 4 } } });
    const queued = await server.request('POST', '/v1/models/progress/retrain');
    expect(queued.status).toBe(202);
    const epochs = new Set<number>();
    let job: any;
    do {
      job = (await server.request('GET', `/v1/jobs/${queued.body.jobId}`)).body;
      if (job.status === 'running' && job.progress?.phase === 'training') {
        epochs.add(job.progress.epoch);
        expect(job.progress).toMatchObject({ epochs: 4, loss: expect.any(Number), valLoss: expect.any(Number) });
        expect(job.progress.fraction).toBeGreaterThan(0);
        expect(job.progress.fraction).toBeLessThan(1);
      }
      await new Promise((r) => setTimeout(r, 20));
    } while (!['succeeded', 'failed', 'canceled'].includes(job.status));
    expect(job).toMatchObject({ id: queued.body.jobId, type: 'retrain', model: 'progress', status: 'succeeded', params: { trigger: 'manual' }, attempt: 1, retryOf: null });
    expect(job.progress).toMatchObject({ phase: 'done', fraction: 1, epoch: 4 });
    expect(job.result).toMatchObject({ version: 1, status: 'champion', promoted: true });
    expect(job.error).toBeUndefined();
    expect(epochs.size).toBeGreaterThanOrEqual(2);
  });

  it('when a running retrain is canceled, then it ends canceled and records no version', async () => {
    await seedModel(server, 'cancel', data, { perConcept: 60, settings: { retrain: { ...SLOW.retrain, epochs: 500 } } });
    const { jobId } = (await server.request('POST', '/v1/models/cancel/retrain')).body;
    let job: any;
    do {
      job = (await server.request('GET', `/v1/jobs/${jobId}`)).body;
      await new Promise((r) => setTimeout(r, 20));
    } while (!(job.status === 'running' && job.progress?.epoch >= 1));
    const canceled = await server.request('POST', `/v1/jobs/${jobId}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(canceled.body.finishedAt).toEqual(expect.any(String));
    expect((await server.request('GET', '/v1/models/cancel/versions')).body).toEqual([]);
    const again = await server.request('POST', `/v1/jobs/${jobId}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('when a retrain is requested for a model without train examples, then it answers 409', async () => {
    await server.request('PUT', '/v1/models/empty', { task: 'multiclass', embeddingDim: 8, concepts: [{ id: 'c0' }] });
    const res = await server.request('POST', '/v1/models/empty/retrain');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });

  it('when an unknown job is read or canceled, then it answers 404 in the error shape', async () => {
    const read = await server.request('GET', '/v1/jobs/nope');
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('not_found');
    expect((await server.request('POST', '/v1/jobs/nope/cancel')).status).toBe(404);
  });

  it('when a job id holds U+0000 or another control character, then it answers 400, not 500', async () => {
    for (const id of ['%00', 'a%00b', '%1f', '%7F']) {
      const read = await server.request('GET', `/v1/jobs/${id}`);
      expect(read.status, id).toBe(400);
      expect(read.body.error.code).toBe('validation_failed');
      expect((await server.request('POST', `/v1/jobs/${id}/cancel`)).status, id).toBe(400);
    }
  });

  it('when a job id holds other characters no id has, then it answers 404, not 500', async () => {
    for (const id of ['%ff', 'a%20b', '%E2%80%AE', '%C2%80', 'x'.repeat(64)]) {
      const read = await server.request('GET', `/v1/jobs/${id}`);
      expect(read.status, id).toBe(404);
      expect(read.body.error.code).toBe('not_found');
      expect((await server.request('POST', `/v1/jobs/${id}/cancel`)).status, id).toBe(404);
    }
  });
});
