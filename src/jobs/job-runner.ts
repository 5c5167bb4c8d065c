import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { isoNow, sleep, systemClock, type Clock } from '../util/clock.js';
import { ConflictError } from '../errors.js';
import { FINISHED, type Job, type JobError, type JobProgress } from './job.js';
import { jobRowToJob } from './job-row.js';
import { countJobsByStatus, findJob, insertJob, latestJob, listJobsWithStatus, updateJobIf, type JobRow } from './jobs.repository.js';

/** What a handler gets: its job, a signal that aborts on cancel or shutdown, and a progress reporter. */
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
}

const DEFAULTS: JobRunnerOptions = { drainTimeoutMs: 30_000, maxAttempts: 3, clock: systemClock };
const CANCEL_WAIT_MS = 5_000;

/** Why a running job's signal was aborted. */
class StopReason extends Error {
  constructor(readonly kind: 'canceled' | 'shutdown') {
    super(kind === 'canceled' ? 'The job was canceled' : 'The server stopped while the job ran');
  }
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Jobs recorded in the database and run on p-queue, one at a time per model. The
 * database is the truth: a restart fails jobs left running (retrying them as a new
 * attempt) and runs the queued ones.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly queues = new Map<number, PQueue>();
  private readonly running = new Map<string, Running>();
  private readonly options: JobRunnerOptions;
  private state: 'idle' | 'started' | 'stopped' = 'idle';

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    options: Partial<JobRunnerOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  register(type: string, handler: JobHandler): void {
    this.handlers.set(type, handler);
  }

  /** Recovers interrupted jobs and starts running queued ones. */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    for (const row of await listJobsWithStatus(this.db, 'running')) await this.interrupt(row, 'The server stopped while this job ran');
    this.state = 'started';
    for (const row of await listJobsWithStatus(this.db, 'queued')) this.enqueue(row);
  }

  /** Records a queued job and schedules it. */
  async submit(modelId: number, type: string, params: Record<string, unknown> = {}): Promise<Job> {
    if (!this.handlers.has(type)) throw new Error(`No handler for job type '${type}'`);
    const id = randomUUID();
    await insertJob(this.db, {
      id,
      model_id: modelId,
      type,
      status: 'queued',
      params_json: JSON.stringify(params),
      created_at: this.now(),
    });
    const row = (await findJob(this.db, id))!;
    if (this.state === 'started') this.enqueue(row);
    return jobRowToJob(row);
  }

  /** Jobs per status, over every model. */
  countByStatus(): Promise<Record<string, number>> {
    return countJobsByStatus(this.db);
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await findJob(this.db, id);
    return row ? jobRowToJob(row) : undefined;
  }

  /** The model's newest job of a type, optionally among some statuses. */
  async latest(modelId: number, type: string, statuses?: Job['status'][]): Promise<Job | undefined> {
    const row = await latestJob(this.db, modelId, type, statuses);
    return row ? jobRowToJob(row) : undefined;
  }

  /** Cancels a queued job at once, or a running one at its next batch; a finished job is a conflict. */
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

  /** Stops taking jobs, waits for running ones (up to the drain timeout), then interrupts the rest for a retry at next start. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const q of this.queues.values()) {
      q.pause();
      q.clear();
    }
    const active = () => [...this.running.values()];
    if (active().length > 0) {
      this.log.info({ jobs: [...this.running.keys()] }, 'waiting for running jobs');
      await Promise.race([Promise.all(active().map((r) => r.done)), sleep(this.options.clock, this.options.drainTimeoutMs)]);
    }
    for (const r of active()) r.controller.abort(new StopReason('shutdown'));
    await Promise.all(active().map((r) => r.done));
  }

  private enqueue(row: JobRow): void {
    let q = this.queues.get(row.model_id);
    if (!q) this.queues.set(row.model_id, (q = new PQueue({ concurrency: 1 })));
    q.add(() => this.execute(row.id)).catch((err: unknown) => this.log.error({ err, job: row.id }, 'job runner error'));
  }

  private async execute(id: string): Promise<void> {
    if (this.state !== 'started') return;
    const controller = new AbortController();
    let finish!: () => void;
    // Registered before the first await, so stop() always sees a job that is starting.
    this.running.set(id, { controller, done: new Promise<void>((resolve) => (finish = resolve)) });
    try {
      // A job canceled while it waited is no longer queued and is skipped.
      if (await updateJobIf(this.db, id, ['queued'], { status: 'running', started_at: this.now() })) await this.run(id, controller);
    } finally {
      this.running.delete(id);
      finish();
    }
  }

  private async run(id: string, controller: AbortController): Promise<void> {
    const job = (await this.get(id))!;
    const handler = this.handlers.get(job.type);
    const log = this.log.child({ job: id, type: job.type, attempt: job.attempt });
    log.info('job started');
    try {
      if (!handler) throw new Error(`No handler for job type '${job.type}'`);
      const result = await handler({
        job,
        signal: controller.signal,
        progress: async (p) => {
          await updateJobIf(this.db, id, ['running'], { progress_json: JSON.stringify(p) });
        },
      });
      await updateJobIf(this.db, id, ['running'], { status: 'succeeded', result_json: JSON.stringify(result ?? null), finished_at: this.now() });
      log.info('job succeeded');
    } catch (err) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason instanceof StopReason && reason.kind === 'canceled') {
        await updateJobIf(this.db, id, ['running'], { status: 'canceled', finished_at: this.now() });
        log.info('job canceled');
      } else if (reason instanceof StopReason) {
        const row = await findJob(this.db, id);
        if (row) await this.interrupt(row, reason.message);
      } else {
        const error: JobError = { code: 'failed', message: err instanceof Error ? err.message : String(err) };
        await updateJobIf(this.db, id, ['running'], { status: 'failed', error_json: JSON.stringify(error), finished_at: this.now() });
        log.error({ err }, 'job failed');
      }
    }
  }

  private now(): string {
    return isoNow(this.options.clock);
  }

  /** Fails a job that was running when the server stopped, and queues its retry as a new attempt. */
  private async interrupt(row: JobRow, message: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      let retriedBy: string | undefined;
      if (row.attempt < this.options.maxAttempts) {
        retriedBy = randomUUID();
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
      const error: JobError = {
        code: 'interrupted',
        message: retriedBy ? `${message}; retried as attempt ${row.attempt + 1}` : `${message}; not retried after ${row.attempt} attempts`,
        retriedBy,
      };
      await updateJobIf(trx, row.id, ['running'], { status: 'failed', error_json: JSON.stringify(error), finished_at: this.now() });
    });
    this.log.warn({ job: row.id, attempt: row.attempt }, 'job interrupted');
  }
}

