import type { Job, JobError, JobProgress } from './job.js';
import type { JobRow } from './jobs.repository.js';

/** Turns a stored row, with its model's name, into the job's discriminated union. */
export function jobRowToJob(row: JobRow, modelName: string): Job {
  const base = {
    id: row.id,
    modelId: row.model_id,
    model: modelName,
    type: row.type,
    attempt: row.attempt,
    retryOf: row.retry_of,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    progress: row.progress_json ? (JSON.parse(row.progress_json) as JobProgress) : null,
    createdAt: row.created_at,
  };
  const finishedAt = row.finished_at ?? row.created_at;
  switch (row.status) {
    case 'queued':
      return { ...base, status: 'queued' };
    case 'running':
      return { ...base, status: 'running', startedAt: row.started_at ?? row.created_at, cancelRequested: row.cancel_requested === 1 };
    case 'succeeded':
      return { ...base, status: 'succeeded', startedAt: row.started_at ?? row.created_at, finishedAt, result: row.result_json ? JSON.parse(row.result_json) : null };
    case 'canceled':
      return { ...base, status: 'canceled', startedAt: row.started_at, finishedAt };
    default:
      return { ...base, status: 'failed', startedAt: row.started_at, finishedAt, error: parseError(row.error_json) };
  }
}

function parseError(json: string | null): JobError {
  return json ? (JSON.parse(json) as JobError) : { code: 'failed', message: 'unknown error' };
}
