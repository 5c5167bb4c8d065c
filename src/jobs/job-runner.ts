import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { exclusively } from '../db/dialect.js';
import { isoNow, sleep, systemClock, type Clock, type Timer } from '../util/clock.js';
import { ConflictError } from '../errors.js';
import { FINISHED, type Job, type JobError, type JobProgress } from './job.js';
import { jobRowToJob } from './job-row.js';
import {
  claimNextJob,
  countJobsByStatus,
  endRunningJobIf,
  findJob,
  insertJob,
  latestJob,
  listLapsedJobs,
  renewJobLease,
  updateJobIf,
  type JobRow,
} from './jobs.repository.js';

/** What a handler gets: its job, a signal that aborts on cancel, shutdown or a lost lease, and a progress reporter. */
export interface JobContext {
  job: Job;
  signal: AbortSignal;
  progress(progress: JobProgress): Promise<void>;
}

/** Runs one job type; resolves with the job's JSON result. */
export type JobHandler = (ctx: JobContext) => Promise<unknown>;

export interface JobRunnerOptions {
  /** How long stop() waits for running jobs before interrupting them. */
  drainTimeoutMs: number;
  /** An interrupted job is retried until it has run this many times. */
  maxAttempts: number;
  clock: Clock;
  /**
   * This instance's name in `jobs.owner`. Stable across restarts of one instance (the
   * composition root keeps it in the data folder), so a restart recovers its own jobs at once.
   */
  owner: string;
  /** How long a claimed job stays with its instance without a renewal; renewed every third of it. */
  leaseMs: number;
  /** How often the runner looks for jobs queued by other instances and for expired leases. */
  pollMs: number;
}

/** Names a job's model: the `models` table belongs to models/, which the runner reads through this port. */
export type ModelNameOf = (modelId: number) => Promise<string>;

const DEFAULTS: Omit<JobRunnerOptions, 'owner'> = { drainTimeoutMs: 30_000, maxAttempts: 3, clock: systemClock, leaseMs: 30_000, pollMs: 2_000 };
const CANCEL_WAIT_MS = 5_000;

/** Why a running job's signal was aborted. */
class StopReason extends Error {
  constructor(readonly kind: 'canceled' | 'shutdown' | 'lost') {
    super(
      kind === 'canceled' ? 'The job was canceled' : kind === 'shutdown' ? 'The server stopped while the job ran' : 'This instance lost the job\'s lease to another',
    );
  }
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
  renewal: Timer | undefined;
}

/**
 * Jobs as a queue in the database, shared by every instance on it. An instance claims a
 * queued job (one running job per model across all instances), holds it under a lease that
 * it renews while the job runs, and records the outcome only while it still holds it. A job
 * whose lease expired (its instance died) is failed as interrupted and retried as a new
 * attempt by whichever instance finds it first; a job is never taken from a live instance.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Map<string, Running>();
  private readonly options: JobRunnerOptions;
  private state: 'idle' | 'started' | 'stopped' = 'idle';
  private scanning: Promise<void> | undefined;
  private again = false;
  private poll: Timer | undefined;
  private lastQueuedAt = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly modelName: ModelNameOf,
    options: Partial<JobRunnerOptions> = {},
  ) {
    this.options = { ...DEFAULTS, owner: randomUUID(), ...options };
  }

  register(type: string, handler: JobHandler): void {
    this.handlers.set(type, handler);
  }

  /** Recovers this instance's jobs from before a restart (and any whose lease expired), then takes queued jobs. */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    await this.recoverLapsed();
    this.state = 'started';
    this.kick();
  }

  /** Records a queued job; this instance or another picks it up. */
  async submit(modelId: number, type: string, params: Record<string, unknown> = {}): Promise<Job> {
    if (!this.handlers.has(type)) throw new Error(`No handler for job type '${type}'`);
    const id = randomUUID();
    await insertJob(this.db, {
      id,
      model_id: modelId,
      type,
      status: 'queued',
      params_json: JSON.stringify(params),
      created_at: this.queuedAt(),
    });
    const row = (await findJob(this.db, id))!;
    this.kick();
    return this.toJob(row);
  }

  /**
   * Runs a read-then-submit decision about a model's jobs (is one waiting? is it time for
   * another?) one at a time across every instance on the database.
   */
  decideAlone<T>(modelId: number, fn: () => Promise<T>): Promise<T> {
    return exclusively(this.db, 'jobDecision', modelId, fn);
  }

  /** Jobs per status, over every model. */
  countByStatus(): Promise<Record<string, number>> {
    return countJobsByStatus(this.db);
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await findJob(this.db, id);
    return row ? this.toJob(row) : undefined;
  }

  /** The model's newest job of a type, optionally among some statuses. */
  async latest(modelId: number, type: string, statuses?: Job['status'][]): Promise<Job | undefined> {
    const row = await latestJob(this.db, modelId, type, statuses);
    return row ? this.toJob(row) : undefined;
  }

  /**
   * Cancels a queued job at once, or a running one at its next batch (on another instance: at
   * that instance's next lease renewal); a finished job is a conflict.
   */
  async cancel(id: string): Promise<Job | undefined> {
    const job = await this.get(id);
    if (!job) return undefined;
    if (FINISHED.has(job.status)) throw new ConflictError(`Job ${id} already ${job.status}`, { status: job.status });
    const now = this.now();
    if (await updateJobIf(this.db, id, ['queued'], { status: 'canceled', finished_at: now })) return this.get(id);
    await updateJobIf(this.db, id, ['running'], { cancel_requested: 1 });
    const running = this.running.get(id);
    if (running) {
      running.controller.abort(new StopReason('canceled'));
      await Promise.race([running.done, sleep(this.options.clock, CANCEL_WAIT_MS)]);
    }
    return this.get(id);
  }

  /** Stops taking jobs, waits for running ones (up to the drain timeout), then interrupts the rest for a retry. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.poll?.cancel();
    // The drain timeout counts from the stop request, not from when a scan in flight ends.
    // No drain timeout means interrupt at once, without a timer: a clock that does not move
    // (a test's, or an instance's whose clock stalled) would never fire even a 0 ms one, and stop() would hang.
    const drained = this.options.drainTimeoutMs > 0 ? sleep(this.options.clock, this.options.drainTimeoutMs) : Promise.resolve();
    await this.scanning;
    const active = () => [...this.running.values()];
    if (active().length > 0) {
      this.log.info({ jobs: [...this.running.keys()] }, 'waiting for running jobs');
      await Promise.race([Promise.all(active().map((r) => r.done)), drained]);
    }
    for (const r of active()) r.controller.abort(new StopReason('shutdown'));
    await Promise.all(active().map((r) => r.done));
  }

  /** Looks for work now: after a submit, after a job ends, and every `pollMs`. */
  private kick(): void {
    if (this.state !== 'started') return;
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.poll?.cancel();
    this.scanning = this.scan()
      .catch((err: unknown) => this.log.error({ err }, 'job runner scan failed'))
      .finally(() => {
        this.scanning = undefined;
        if (this.state !== 'started') return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.poll = this.options.clock.setTimer(this.options.pollMs, () => this.kick());
        }
      });
  }

  private async scan(): Promise<void> {
    await this.recoverLapsed();
    const types = [...this.handlers.keys()];
    while (this.state === 'started') {
      const now = this.options.clock.now().getTime();
      const id = await claimNextJob(this.db, types, this.options.owner, new Date(now).toISOString(), new Date(now + this.options.leaseMs).toISOString());
      if (!id) return;
      this.launch(id);
    }
  }

  /** Fails each running job whose instance is gone (lease expired, or this instance before a restart), retrying it. */
  private async recoverLapsed(): Promise<void> {
    for (const row of await listLapsedJobs(this.db, this.now(), this.options.owner)) {
      if (this.running.has(row.id)) continue;
      const message = row.owner === this.options.owner ? 'The server stopped while this job ran' : 'The instance running this job stopped renewing its lease';
      await this.interrupt(row, message);
    }
  }

  private launch(id: string): void {
    const controller = new AbortController();
    let finish!: () => void;
    const entry: Running = { controller, done: new Promise<void>((resolve) => (finish = resolve)), renewal: undefined };
    this.running.set(id, entry);
    this.scheduleRenewal(id, entry);
    this.run(id, controller)
      .catch((err: unknown) => this.log.error({ err, job: id }, 'job runner error'))
      .finally(() => {
        entry.renewal?.cancel();
        this.running.delete(id);
        finish();
        this.kick();
      });
  }

  private scheduleRenewal(id: string, entry: Running): void {
    entry.renewal = this.options.clock.setTimer(this.options.leaseMs / 3, () => {
      void this.renew(id, entry).catch((err: unknown) => this.log.error({ err, job: id }, 'job lease renewal failed'));
    });
  }

  private async renew(id: string, entry: Running): Promise<void> {
    if (this.running.get(id) !== entry) return;
    const until = new Date(this.options.clock.now().getTime() + this.options.leaseMs).toISOString();
    const held = await renewJobLease(this.db, id, this.options.owner, until);
    if (!held) {
      entry.controller.abort(new StopReason('lost'));
      return;
    }
    // A cancel asked on another instance reaches this one here.
    if (held.cancelRequested) entry.controller.abort(new StopReason('canceled'));
    if (this.running.get(id) === entry) this.scheduleRenewal(id, entry);
  }

  private async run(id: string, controller: AbortController): Promise<void> {
    const owner = this.options.owner;
    const job = (await this.get(id))!;
    const handler = this.handlers.get(job.type);
    const log = this.log.child({ job: id, type: job.type, attempt: job.attempt });
    log.info({ owner }, 'job started');
    try {
      if (!handler) throw new Error(`No handler for job type '${job.type}'`);
      if (job.status === 'running' && job.cancelRequested) controller.abort(new StopReason('canceled'));
      const result = await handler({
        job,
        signal: controller.signal,
        progress: async (p) => {
          await updateJobIf(this.db, id, ['running'], { progress_json: JSON.stringify(p) }, owner);
        },
      });
      if (await updateJobIf(this.db, id, ['running'], { status: 'succeeded', result_json: JSON.stringify(result ?? null), finished_at: this.now(), owner: null, lease_expires_at: null }, owner)) {
        log.info('job succeeded');
      } else {
        log.warn('job finished after its lease was lost; its outcome is not recorded');
      }
    } catch (err) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason instanceof StopReason && reason.kind === 'lost') {
        log.warn('job lease lost to another instance; stopped');
      } else if (reason instanceof StopReason && reason.kind === 'canceled') {
        await updateJobIf(this.db, id, ['running'], { status: 'canceled', finished_at: this.now(), owner: null, lease_expires_at: null }, owner);
        log.info('job canceled');
      } else if (reason instanceof StopReason) {
        const row = await findJob(this.db, id);
        if (row?.owner === owner) await this.interrupt(row, reason.message);
      } else {
        const error: JobError = { code: 'failed', message: err instanceof Error ? err.message : String(err) };
        await updateJobIf(this.db, id, ['running'], { status: 'failed', error_json: JSON.stringify(error), finished_at: this.now(), owner: null, lease_expires_at: null }, owner);
        log.error({ err }, 'job failed');
      }
    }
  }

  private now(): string {
    return isoNow(this.options.clock);
  }

  /**
   * Queue order is `created_at`: strictly increasing per instance, so jobs submitted within one
   * millisecond (or on a clock that does not move) still run in submission order.
   */
  private queuedAt(): string {
    this.lastQueuedAt = Math.max(this.options.clock.now().getTime(), this.lastQueuedAt + 1);
    return new Date(this.lastQueuedAt).toISOString();
  }

  /** Fails a running job whose instance stopped (or is stopping), and queues its retry as a new attempt; once, whoever calls it. */
  private async toJob(row: JobRow): Promise<Job> {
    return jobRowToJob(row, await this.modelName(row.model_id));
  }

  private async interrupt(row: JobRow, message: string): Promise<void> {
    const retriedBy = row.attempt < this.options.maxAttempts ? randomUUID() : undefined;
    const error: JobError = {
      code: 'interrupted',
      message: retriedBy ? `${message}; retried as attempt ${row.attempt + 1}` : `${message}; not retried after ${row.attempt} attempts`,
      retriedBy,
    };
    const ended = await this.db.transaction().execute(async (trx) => {
      const patch = { status: 'failed' as const, error_json: JSON.stringify(error), finished_at: this.now(), owner: null, lease_expires_at: null };
      if (!(await endRunningJobIf(trx, row, patch))) return false;
      if (retriedBy) {
        await insertJob(trx, {
          id: retriedBy,
          model_id: row.model_id,
          type: row.type,
          status: 'queued',
          attempt: row.attempt + 1,
          retry_of: row.id,
          params_json: row.params_json,
          created_at: this.now(),
        });
      }
      return true;
    });
    if (ended) this.log.warn({ job: row.id, attempt: row.attempt, owner: row.owner }, 'job interrupted');
    if (ended && retriedBy) this.kick();
  }
}
