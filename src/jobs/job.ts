/** Where a job stands: what it is doing, and how far it is (0 to 1). */
export interface JobProgress {
  phase: string;
  fraction: number;
  epoch?: number | undefined;
  epochs?: number | undefined;
  loss?: number | undefined;
  valLoss?: number | null | undefined;
}

/** Why a job failed; `interrupted` jobs are retried as a new attempt, named in `retriedBy`. */
export interface JobError {
  code: 'failed' | 'interrupted';
  message: string;
  retriedBy?: string | undefined;
}

interface JobBase {
  id: string;
  modelId: number;
  /** The model's name. */
  model: string;
  type: string;
  /** 1 for the first run; an interrupted job is retried as attempt + 1. */
  attempt: number;
  /** The interrupted job this one retries. */
  retryOf: string | null;
  params: Record<string, unknown>;
  progress: JobProgress | null;
  createdAt: string;
}

/** A recorded job; its status decides which fields exist. */
export type Job = JobBase &
  (
    | { status: 'queued' }
    | { status: 'running'; startedAt: string; cancelRequested: boolean }
    | { status: 'succeeded'; startedAt: string; finishedAt: string; result: unknown }
    | { status: 'failed'; startedAt: string | null; finishedAt: string; error: JobError }
    | { status: 'canceled'; startedAt: string | null; finishedAt: string }
  );

export type JobStatus = Job['status'];

/** Statuses a job never leaves. */
export const FINISHED: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'canceled']);
