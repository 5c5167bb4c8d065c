import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { startTwoInstances, type TestServer, type TwoInstances } from '../support/server.js';
import { ClusteredData, seedModel } from '../support/training-fixtures.js';

/**
 * Retraining jobs run on instance A and canceled through instance B of one PostgreSQL database.
 * A job runs where it was claimed; a cancel asked elsewhere is recorded in the job's row and
 * reaches the owner at its next lease renewal (every lease/3 on its clock: the test advances A's
 * clock, so the renewal comes when the test says). B's clock stays still, so B never polls for
 * queued jobs and every job runs on A. The job ends once, canceled or succeeded; a canceled run
 * leaves no version, a succeeded one exactly one, and both instances answer the same.
 */
const LEASE_MS = 30_000;
const FINISHED = ['succeeded', 'failed', 'canceled'];

interface Answer {
  status: number;
  body: any;
}

describe('retraining jobs canceled across two instances', () => {
  let a: TestServer;
  let b: TestServer;
  const clockA = new ManualClock();
  const clockB = new ManualClock();
  const data = new ClusteredData({ dim: 8, clusters: 3, spread: 0.5, seed: 11 });
  const db = () => a.driftloop.services.database.db;

  let instances: TwoInstances | undefined;

  beforeAll(async () => {
    instances = await startTwoInstances({ clocks: [clockA, clockB] });
    ({ a, b } = instances);
  });
  afterAll(() => instances?.stop());

  /** Reads the job through `s` until `done` holds; between reads, real time passes (the training runs in real time). */
  async function watch(s: TestServer, jobId: string, done: (job: any) => boolean, what: string): Promise<any> {
    for (let i = 0; i < 3000; i++) {
      const job = (await s.request('GET', `/v1/jobs/${jobId}`)).body;
      if (done(job)) return job;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`job ${jobId}: ${what} never happened`);
  }

  /** Moves A's clock a lease renewal at a time until the job is finished; returns it as A reads it. */
  async function renewUntilFinished(jobId: string): Promise<any> {
    for (let i = 0; i < 3000; i++) {
      const job = (await a.request('GET', `/v1/jobs/${jobId}`)).body;
      if (FINISHED.includes(job.status)) return job;
      await clockA.advance(LEASE_MS / 3);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`job ${jobId} never finished`);
  }

  /** What the database holds for the job: its rows (a retry would add one) and the versions it recorded, with their artifacts. */
  async function stored(model: string, jobId: string) {
    const modelId = (await a.driftloop.services.models.get(model)).id;
    const jobs = await db().selectFrom('jobs').select(['id', 'status', 'attempt', 'retry_of']).where('model_id', '=', modelId).where((eb) => eb.or([eb('id', '=', jobId), eb('retry_of', '=', jobId)])).execute();
    const versions = await db().selectFrom('model_versions').select(['id', 'version', 'status']).where('model_id', '=', modelId).where('job_id', '=', jobId).execute();
    const artifacts = versions.length
      ? await db().selectFrom('version_artifacts').select('version_id').where('version_id', 'in', versions.map((v) => v.id)).execute()
      : [];
    return { jobs, versions, artifacts: artifacts.length };
  }

  /** Both instances answer the same job, the same versions and the same champion. */
  async function bothAgree(model: string, jobId: string): Promise<void> {
    const read = async (s: TestServer) => ({
      job: (await s.request('GET', `/v1/jobs/${jobId}`)).body,
      versions: (await s.request('GET', `/v1/models/${model}/versions`)).body,
      champion: (await s.request('GET', `/v1/models/${model}`)).body.champion,
    });
    const [fromA, fromB] = [await read(a), await read(b)];
    expect(fromB.job).toEqual(fromA.job);
    expect(fromB.versions).toEqual(fromA.versions);
    expect(fromB.champion).toEqual(fromA.champion);
  }

  it('when a retrain running on A is canceled through B, then A stops it at its next renewal, it ends canceled once, leaves no version, and both instances say so', async () => {
    await seedModel(a, 'long', data, { perConcept: 60, settings: { retrain: { batchSize: 1, patience: 1000, epochs: 500 } } });
    const queued = await a.request('POST', '/v1/models/long/retrain');
    expect(queued.status).toBe(202);
    const jobId = queued.body.jobId as string;
    const running = await watch(a, jobId, (j) => j.status === 'running' && j.progress?.epoch >= 1, 'a first epoch');
    const canceled = await b.request('POST', `/v1/jobs/${jobId}/cancel`);
    expect({ status: canceled.status, job: canceled.body.status, cancelRequested: canceled.body.cancelRequested }).toEqual({ status: 200, job: 'running', cancelRequested: true });
    // A has not renewed yet: the job still trains there.
    const before = await watch(a, jobId, (j) => j.progress?.epoch > running.progress.epoch, 'another epoch before the renewal');
    expect(before.status).toBe('running');
    const ended = await renewUntilFinished(jobId);
    expect(ended).toMatchObject({ status: 'canceled', finishedAt: expect.any(String) });
    expect(ended.progress.epoch).toBeLessThan(500);
    // It stays ended: more renewal periods change nothing, and no retry is queued.
    await clockA.advance(LEASE_MS * 2);
    expect((await a.request('GET', `/v1/jobs/${jobId}`)).body).toEqual(ended);
    expect(await stored('long', jobId)).toEqual({ jobs: [{ id: jobId, status: 'canceled', attempt: 1, retry_of: null }], versions: [], artifacts: 0 });
    await bothAgree('long', jobId);
    for (const s of [a, b]) {
      const again = await s.request('POST', `/v1/jobs/${jobId}/cancel`);
      expect({ status: again.status, code: again.body.error?.code }).toEqual({ status: 409, code: 'conflict' });
    }
  });

  it('when a cancel races a retrain finishing, then the job ends once as canceled without a version or as succeeded with one, and the cancel answers to match', async () => {
    await seedModel(a, 'short', data, { perConcept: 30, settings: { retrain: { epochs: 3 } } });
    const seen = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const queued = await a.request('POST', '/v1/models/short/retrain');
      expect(queued.status).toBe(202);
      const jobId = queued.body.jobId as string;
      // The cancel goes out after a number of reads that grows with the round: early, mid-run or after the end.
      for (let i = 0; i < round; i++) await a.request('GET', `/v1/jobs/${jobId}`);
      // Odd rounds cancel through both instances at once: A aborts its own run, B only records the request.
      const cancels: Answer[] = await Promise.all(round % 2 ? [b.request('POST', `/v1/jobs/${jobId}/cancel`), a.request('POST', `/v1/jobs/${jobId}/cancel`)] : [b.request('POST', `/v1/jobs/${jobId}/cancel`)]);
      const ended = await renewUntilFinished(jobId);
      const context = `round ${round}: cancels ${JSON.stringify(cancels.map((c) => [c.status, c.body.status ?? c.body.error?.code]))}, job ${ended.status}`;
      for (const c of cancels) {
        expect(c.status, context).not.toBeGreaterThanOrEqual(500);
        // 200 with the job after the request: still running (the cancel was asked), or as it ended
        // (A waits for its own run, which may finish past its last check); 409 when it had finished before.
        if (c.status === 200 && c.body.status !== 'running') expect(c.body, context).toEqual(ended);
        if (c.status !== 200) expect({ status: c.status, code: c.body.error.code }, context).toEqual({ status: 409, code: 'conflict' });
      }
      expect(['succeeded', 'canceled'], context).toContain(ended.status);
      const row = await stored('short', jobId);
      expect(row.jobs, context).toEqual([{ id: jobId, status: ended.status, attempt: 1, retry_of: null }]);
      if (ended.status === 'succeeded') {
        expect(row.versions.map((v) => v.version), context).toEqual([ended.result.version]);
        expect(row.artifacts, context).toBe(1);
      } else {
        expect({ versions: row.versions, artifacts: row.artifacts }, context).toEqual({ versions: [], artifacts: 0 });
      }
      await clockA.advance(LEASE_MS);
      expect((await a.request('GET', `/v1/jobs/${jobId}`)).body, context).toEqual(ended);
      await bothAgree('short', jobId);
      seen.add(`${ended.status} after ${cancels.map((c) => c.status).join('+')}`);
    }
    console.info(`cancel against completion: ${[...seen].join(', ')}`);
  });
});
