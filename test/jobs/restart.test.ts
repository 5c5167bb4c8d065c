import { afterEach, describe, expect, it } from 'vitest';
import { killServiceProcesses, startServiceProcess, type ServiceProcess } from '../../scripts/lib/service-process.js';
import { databaseEnv } from '../support/database.js';
import { startTestServer, tempDataDir } from '../support/server.js';
import { ClusteredData, conceptIds, waitForJob } from '../support/training-fixtures.js';

const data = new ClusteredData({ dim: 8, clusters: 3, spread: 0.5, seed: 21 });

/** A model whose retrain takes a few seconds (batchSize 1), and a running retrain job on it. */
async function startLongRetrain(server: ServiceProcess, epochs: number): Promise<string> {
  const concepts = conceptIds(3);
  expect(
    (
      await server.request('PUT', '/v1/models/slow', {
        task: 'multiclass',
        embeddingDim: 8,
        concepts: concepts.map((id) => ({ id })),
        settings: { retrain: { batchSize: 1, epochs, patience: 1000 } },
      })
    ).status,
  ).toBe(201);
  const examples = Array.from({ length: 240 }, (_, i) => ({ id: `e${i}`, embedding: data.point(i % 3), concepts: [concepts[i % 3]] }));
  expect((await server.request('POST', '/v1/models/slow/examples', { examples })).status).toBe(200);
  const { jobId } = (await server.request('POST', '/v1/models/slow/retrain')).body as { jobId: string };
  for (;;) {
    const job = (await server.request('GET', `/v1/jobs/${jobId}`)).body;
    if (job.status === 'running' && job.progress?.epoch >= 1) return jobId;
    expect(['queued', 'running']).toContain(job.status);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('jobs across restarts', () => {
  afterEach(killServiceProcesses);

  it('when the process is killed during a retrain, then the next start fails that job as interrupted and runs a new attempt to completion', async () => {
    const dataDir = tempDataDir();
    const first = await startServiceProcess({ DRIFTLOOP_DATA_DIR: dataDir, ...(await databaseEnv(dataDir)) });
    const jobId = await startLongRetrain(first, 12);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const server = await startTestServer({ dataDir });
    try {
      const old = (await server.request('GET', `/v1/jobs/${jobId}`)).body;
      expect(old).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'interrupted', retriedBy: expect.any(String) } });
      expect(old.progress.epoch).toBeGreaterThanOrEqual(1);
      const retry = await waitForJob(server, old.error.retriedBy, 90_000);
      expect(retry).toMatchObject({ status: 'succeeded', attempt: 2, retryOf: jobId, result: { version: 1, status: 'champion' } });
      const versions = (await server.request('GET', '/v1/models/slow/versions')).body;
      expect(versions.map((v: any) => v.jobId)).toEqual([old.error.retriedBy]);
    } finally {
      await server.stop();
    }
  });

  it('when the process gets SIGTERM during a retrain, then it finishes the job before exiting 0', async () => {
    const dataDir = tempDataDir();
    const child = await startServiceProcess({ DRIFTLOOP_DATA_DIR: dataDir, ...(await databaseEnv(dataDir)) });
    const jobId = await startLongRetrain(child, 3);
    child.child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });

    const server = await startTestServer({ dataDir });
    try {
      const job = (await server.request('GET', `/v1/jobs/${jobId}`)).body;
      expect(job).toMatchObject({ status: 'succeeded', attempt: 1, result: { version: 1 } });
    } finally {
      await server.stop();
    }
  });
});
