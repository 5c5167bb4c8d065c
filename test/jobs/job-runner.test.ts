import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import type { Job } from '../../src/jobs/job.js';
import { JobRunner, type JobContext } from '../../src/jobs/job-runner.js';
import { EventBus } from '../../src/events/event-bus.js';
import { ModelsService } from '../../src/models/models.service.js';
import { databaseUrlFor } from '../support/database.js';
import { systemClock } from '../../src/util/clock.js';
import { ManualClock } from '../support/clock.js';
import { tempDataDir } from '../support/server.js';
import { ownerReads } from '../../src/composition/ports.js';

const log = pino({ level: 'silent' });

/** A promise with its resolver, to hold a handler where the test wants it. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('JobRunner', () => {
  let database: DatabaseHandle;
  let modelA: number;
  let modelB: number;
  const runners: JobRunner[] = [];
  const modelName = async (id: number) => (await database.db.selectFrom('models').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name;

  function runner(options: { drainTimeoutMs?: number; maxAttempts?: number; clock?: ManualClock } = {}): JobRunner {
    const r = new JobRunner(database.db, log, modelName, options);
    runners.push(r);
    return r;
  }
  const status = async (r: JobRunner, id: string) => (await r.get(id))!.status;

  beforeEach(async () => {
    const dataDir = tempDataDir();
    database = await openDatabase({ dataDir, databaseUrl: await databaseUrlFor(dataDir) });
    const models = new ModelsService(database.db, new EventBus(), systemClock, ownerReads(database.db));
    const def = { task: 'multiclass' as const, embeddingDim: 2, concepts: [{ id: 'a' }] };
    modelA = (await models.put('a', def)).model.id;
    modelB = (await models.put('b', def)).model.id;
  });
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    await database.close();
  });

  it('when a job runs, then it goes queued → running → succeeded with its progress and result', async () => {
    const r = runner();
    const release = gate();
    r.register('work', async (ctx) => {
      await ctx.progress({ phase: 'training', fraction: 0.5, epoch: 1, epochs: 2 });
      await release.promise;
      return { answer: 42 };
    });
    const job = await r.submit(modelA, 'work', { trigger: 'manual' });
    expect(job).toMatchObject({ status: 'queued', model: 'a', attempt: 1, retryOf: null, params: { trigger: 'manual' } });
    await r.start();
    await until(async () => (await r.get(job.id))!.progress?.epoch === 1);
    expect(await r.get(job.id)).toMatchObject({ status: 'running', cancelRequested: false, progress: { phase: 'training', fraction: 0.5 } });
    release.open();
    await until(async () => (await status(r, job.id)) === 'succeeded');
    const done = (await r.get(job.id)) as Extract<Job, { status: 'succeeded' }>;
    expect(done.result).toEqual({ answer: 42 });
    expect(Date.parse(done.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
  });

  it('when two jobs of one model are submitted, then the second waits for the first while another model runs alongside', async () => {
    const r = runner();
    const releases = new Map<string, () => void>();
    r.register('work', async (ctx) => {
      const g = gate();
      releases.set(ctx.job.id, g.open);
      await g.promise;
    });
    await r.start();
    const first = await r.submit(modelA, 'work');
    const second = await r.submit(modelA, 'work');
    const other = await r.submit(modelB, 'work');
    // Running in the database a moment before the handler is entered: wait for both.
    await until(async () => (await status(r, first.id)) === 'running' && (await status(r, other.id)) === 'running' && releases.has(first.id) && releases.has(other.id));
    expect(await status(r, second.id)).toBe('queued');
    releases.get(first.id)!();
    await until(async () => (await status(r, second.id)) === 'running' && releases.has(second.id));
    releases.get(second.id)!();
    releases.get(other.id)!();
    await until(async () => (await status(r, second.id)) === 'succeeded' && (await status(r, other.id)) === 'succeeded');
  });

  it('when a queued job is canceled, then it ends canceled and never runs', async () => {
    const r = runner();
    const ran: string[] = [];
    const release = gate();
    r.register('work', async (ctx) => {
      ran.push(ctx.job.id);
      await release.promise;
    });
    await r.start();
    const first = await r.submit(modelA, 'work');
    const second = await r.submit(modelA, 'work');
    expect((await r.cancel(second.id))!.status).toBe('canceled');
    release.open();
    await until(async () => (await status(r, first.id)) === 'succeeded');
    expect(ran).toEqual([first.id]);
    expect(await status(r, second.id)).toBe('canceled');
  });

  it('when a running job is canceled, then its signal aborts and it ends canceled', async () => {
    const r = runner();
    const started = gate();
    r.register('work', async (ctx: JobContext) => {
      started.open();
      await new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
    });
    await r.start();
    const job = await r.submit(modelA, 'work');
    // The handler, not the row: on PostgreSQL the row can read running before this runner has taken the job in hand.
    await started.promise;
    const canceled = await r.cancel(job.id);
    expect(canceled!.status).toBe('canceled');
  });

  it('when a finished job is canceled, then it is a conflict; an unknown job is undefined', async () => {
    const r = runner();
    r.register('work', async () => 'ok');
    await r.start();
    const job = await r.submit(modelA, 'work');
    await until(async () => (await status(r, job.id)) === 'succeeded');
    await expect(r.cancel(job.id)).rejects.toMatchObject({ code: 'conflict' });
    expect(await r.cancel('no-such-job')).toBeUndefined();
  });

  it('when a handler throws, then the job fails with its message', async () => {
    const r = runner();
    r.register('work', async () => {
      throw new Error('no train-split data');
    });
    await r.start();
    const job = await r.submit(modelA, 'work');
    await until(async () => (await status(r, job.id)) === 'failed');
    expect(await r.get(job.id)).toMatchObject({ error: { code: 'failed', message: 'no train-split data' } });
  });

  it('when the runner starts over a job left running by a crash, then that job fails as interrupted and a new attempt runs', async () => {
    const crashed = runner();
    crashed.register('work', async () => 'never');
    const job = await crashed.submit(modelA, 'work', { trigger: 'manual' });
    // What a process killed mid-job leaves behind.
    await database.db.updateTable('jobs').set({ status: 'running', started_at: new Date().toISOString() }).where('id', '=', job.id).execute();

    const restarted = runner();
    restarted.register('work', async (ctx) => ({ attempt: ctx.job.attempt }));
    await restarted.start();
    const old = (await restarted.get(job.id)) as Extract<Job, { status: 'failed' }>;
    expect(old.status).toBe('failed');
    expect(old.error.code).toBe('interrupted');
    const retry = old.error.retriedBy!;
    await until(async () => (await status(restarted, retry)) === 'succeeded');
    expect(await restarted.get(retry)).toMatchObject({ attempt: 2, retryOf: job.id, params: { trigger: 'manual' }, result: { attempt: 2 } });
  });

  it('when an interrupted job has used its attempts, then it fails without a retry', async () => {
    const r = runner({ maxAttempts: 1 });
    r.register('work', async () => 'ok');
    const job = await r.submit(modelA, 'work');
    await database.db.updateTable('jobs').set({ status: 'running' }).where('id', '=', job.id).execute();
    await r.start();
    expect(await r.get(job.id)).toMatchObject({ status: 'failed', error: { code: 'interrupted', message: expect.stringMatching(/not retried after 1 attempts/) } });
  });

  it('when the runner stops while a job runs, then stop waits for the job to finish', async () => {
    const clock = new ManualClock();
    const r = runner({ clock });
    const release = gate();
    r.register('work', async () => {
      await release.promise;
      return 'finished';
    });
    await r.start();
    const job = await r.submit(modelA, 'work');
    await until(async () => (await status(r, job.id)) === 'running');
    const stopped = r.stop();
    // Just short of the drain timeout, the job finishes on its own.
    await clock.advance(29_999);
    release.open();
    await stopped;
    expect(await r.get(job.id)).toMatchObject({ status: 'succeeded', result: 'finished' });
  });

  it('when a running job outlasts the drain timeout, then stop interrupts it and queues a retry for the next start', async () => {
    const clock = new ManualClock();
    const r = runner({ drainTimeoutMs: 50, clock });
    r.register('work', (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))));
    await r.start();
    const job = await r.submit(modelA, 'work');
    const waiting = await r.submit(modelA, 'work');
    await until(async () => (await status(r, job.id)) === 'running');
    const stopped = r.stop();
    await clock.advance(50);
    await stopped;
    const interrupted = (await r.get(job.id)) as Extract<Job, { status: 'failed' }>;
    expect(interrupted.error.code).toBe('interrupted');
    expect(await r.get(interrupted.error.retriedBy!)).toMatchObject({ status: 'queued', attempt: 2 });
    expect(await status(r, waiting.id)).toBe('queued');
  });
});
