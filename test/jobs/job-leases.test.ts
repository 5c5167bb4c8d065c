import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { EventBus } from '../../src/events/event-bus.js';
import type { Job } from '../../src/jobs/job.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { ModelsService } from '../../src/models/models.service.js';
import { ownerReads } from '../../src/composition/ports.js';
import { systemClock } from '../../src/util/clock.js';
import { ManualClock } from '../support/clock.js';
import { databaseUrlFor } from '../support/database.js';
import { tempDataDir } from '../support/server.js';

// Several runners on one database stand for several instances. An instance that "dies" is one
// whose clock stops: it never renews its lease again, while the others' clocks move on.
//
// A test moves a runner's clock only once the runner is waiting on it (its handler started, so
// its renewal timer is armed; its scan ended, so its next poll is armed). A row the test reads
// in the database says nothing of that: on PostgreSQL another connection can see a commit
// before the committing runner has handled the reply, and a clock advanced in that gap leaves a
// timer the runner arms a moment later a whole period behind (a flake under load).

const log = pino({ level: 'silent' });
const LEASE_MS = 30_000;
const POLL_MS = 2_000;

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Waits (real time, for database round trips) until `check` holds; a hang detector, not a timing assertion. */
async function until(check: () => Promise<boolean>, what = 'condition'): Promise<void> {
  // Generous for a loaded 2-core machine, and well inside vitest's test timeout.
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not met`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('jobs across instances sharing one database', () => {
  let database: DatabaseHandle;
  const modelIds: number[] = [];
  const runners: JobRunner[] = [];
  const modelName = async (id: number) => (await database.db.selectFrom('models').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name;

  function instance(name: string, clock: ManualClock): JobRunner {
    const r = new JobRunner(database.db, log, modelName, { clock, owner: name, leaseMs: LEASE_MS, pollMs: POLL_MS, drainTimeoutMs: 0 });
    runners.push(r);
    return r;
  }
  const jobRow = (id: string) => database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeEach(async () => {
    const dataDir = tempDataDir();
    database = await openDatabase({ dataDir, databaseUrl: await databaseUrlFor(dataDir) });
    const models = new ModelsService(database.db, new EventBus(), systemClock, ownerReads(database.db));
    modelIds.length = 0;
    for (let i = 0; i < 6; i++) modelIds.push((await models.put(`m${i}`, { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }] })).model.id);
  });
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    await database.close();
  });

  it('when the instance running a job stays alive for ten lease periods, then it keeps renewing and no other instance runs the job', async () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    const started = gate();
    const release = gate();
    const [a, b] = [instance('a', clock), instance('b', clock)];
    for (const [name, r] of [['a', a], ['b', b]] as const) {
      r.register('work', async () => {
        ran.push(name);
        started.open();
        await release.promise;
        return name;
      });
    }
    const job = await a.submit(modelIds[0]!, 'work');
    await a.start();
    await started.promise;
    expect(await jobRow(job.id)).toMatchObject({ status: 'running', owner: 'a' });
    await b.start();
    for (let t = LEASE_MS / 3; t <= 10 * LEASE_MS; t += LEASE_MS / 3) {
      await clock.advance(LEASE_MS / 3);
      const now = clock.now().getTime();
      const expected = new Date(now + LEASE_MS).toISOString();
      await until(async () => (await jobRow(job.id)).lease_expires_at === expected, `renewed at ${t} ms`);
      await until(async () => clock.hasTimerAt(now + LEASE_MS / 3), `next renewal armed at ${t} ms`);
      expect(await jobRow(job.id)).toMatchObject({ status: 'running', owner: 'a', attempt: 1 });
    }
    release.open();
    await until(async () => (await jobRow(job.id)).status === 'succeeded', 'the job succeeds');
    expect(ran).toEqual(['a']);
    expect((await a.get(job.id)) as Extract<Job, { status: 'succeeded' }>).toMatchObject({ result: 'a', attempt: 1 });
    expect(await database.db.selectFrom('jobs').select('id').execute()).toHaveLength(1);
  });

  it('when the instance running a job dies, then another takes it over once the lease has expired and not before, and the dead one records nothing', async () => {
    const frozen = new ManualClock();
    const clock = new ManualClock();
    const ran: { runner: string; job: string; attempt: number }[] = [];
    const startedA = gate();
    const releaseA = gate();
    const a = instance('a', frozen);
    const b = instance('b', clock);
    // b's poll timer is the only timer on `clock` until b runs the retry: armed means b's scan ended.
    const bBetweenPolls = () => until(async () => clock.pending > 0, 'b waits for its next poll');
    a.register('work', async (ctx) => {
      ran.push({ runner: 'a', job: ctx.job.id, attempt: ctx.job.attempt });
      startedA.open();
      await releaseA.promise;
      return 'a';
    });
    b.register('work', async (ctx) => {
      ran.push({ runner: 'b', job: ctx.job.id, attempt: ctx.job.attempt });
      return 'b';
    });
    const job = await a.submit(modelIds[0]!, 'work', { n: 1 });
    await a.start();
    await startedA.promise;
    const lease = Date.parse((await jobRow(job.id)).lease_expires_at!);
    expect(lease - clock.now().getTime()).toBe(LEASE_MS);
    await b.start();
    await bBetweenPolls();

    // Until the lease expires, b polls and leaves the job alone.
    while (clock.now().getTime() + POLL_MS < lease) {
      await clock.advance(POLL_MS);
      await bBetweenPolls();
      expect(await jobRow(job.id)).toMatchObject({ status: 'running', owner: 'a' });
    }
    let retry: string | null = null;
    for (;;) {
      await clock.advance(POLL_MS / 4);
      // After the poll that takes the job over, the retry's renewal timer may be the one armed; either way b's scan ended.
      await bBetweenPolls();
      const row = await jobRow(job.id);
      if (row.status === 'failed') {
        retry = JSON.parse(row.error_json!).retriedBy;
        break;
      }
      expect(clock.now().getTime(), 'b takes the job over').toBeLessThanOrEqual(lease + 2 * POLL_MS);
    }
    const tookOverAt = clock.now().getTime();
    expect(tookOverAt).toBeGreaterThanOrEqual(lease);
    expect(tookOverAt).toBeLessThanOrEqual(lease + POLL_MS + POLL_MS / 4);
    expect(await a.get(job.id)).toMatchObject({ status: 'failed', error: { code: 'interrupted', message: expect.stringMatching(/stopped renewing its lease/) } });
    await until(async () => (await jobRow(retry!)).status === 'succeeded', 'the retry succeeds on b');
    expect(await jobRow(retry!)).toMatchObject({ attempt: 2, retry_of: job.id, params_json: '{"n":1}', result_json: '"b"' });

    // The "dead" instance wakes up: its renewal finds the lease gone, and its outcome is not recorded.
    await frozen.advance(LEASE_MS / 3);
    releaseA.open();
    await a.stop();
    expect(await jobRow(job.id)).toMatchObject({ status: 'failed', owner: null });
    expect(await jobRow(retry!)).toMatchObject({ status: 'succeeded', result_json: '"b"' });
    expect(ran.map((r) => `${r.runner}:${r.attempt}`)).toEqual(['a:1', 'b:2']);
  });

  it('when jobs of six models are queued, then three instances run each exactly once, one at a time per model', async () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    const active = new Map<number, number>();
    let overlapped = false;
    const rs = ['a', 'b', 'c'].map((name) => {
      const r = instance(name, clock);
      r.register('work', async (ctx) => {
        ran.push(ctx.job.id);
        active.set(ctx.job.modelId, (active.get(ctx.job.modelId) ?? 0) + 1);
        if (active.get(ctx.job.modelId)! > 1) overlapped = true;
        await new Promise((res) => setTimeout(res, 5));
        active.set(ctx.job.modelId, active.get(ctx.job.modelId)! - 1);
        return null;
      });
      return r;
    });
    const jobs: Job[] = [];
    for (let i = 0; i < 18; i++) jobs.push(await rs[i % 3]!.submit(modelIds[i % 6]!, 'work'));
    await Promise.all(rs.map((r) => r.start()));
    await until(async () => {
      await clock.advance(POLL_MS);
      const done = await database.db.selectFrom('jobs').select('id').where('status', '=', 'succeeded').execute();
      return done.length === jobs.length;
    }, 'every job succeeds');
    expect([...ran].sort()).toEqual(jobs.map((j) => j.id).sort());
    expect(overlapped).toBe(false);
    const owners = await database.db.selectFrom('jobs').select(['id', 'attempt']).execute();
    expect(owners.every((o) => o.attempt === 1)).toBe(true);
  });

  it('when a job running on one instance is canceled through another, then the running instance stops it at its next renewal', async () => {
    const clock = new ManualClock();
    const a = instance('a', clock);
    const b = instance('b', clock);
    let aborted = false;
    const started = gate();
    a.register('work', (ctx) => {
      started.open();
      return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted')))));
    });
    b.register('work', async () => 'never');
    const job = await a.submit(modelIds[0]!, 'work');
    await a.start();
    await started.promise;
    const canceled = await b.cancel(job.id);
    expect(canceled).toMatchObject({ status: 'running', cancelRequested: true });
    await clock.advance(LEASE_MS / 3);
    await until(async () => (await jobRow(job.id)).status === 'canceled', 'a cancels the job');
    expect(aborted).toBe(true);
  });
});
