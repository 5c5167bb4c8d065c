import { z } from '@hono/zod-openapi';
import type { Job } from './job.js';

export const jobParams = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' }, example: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', description: 'Job id (from POST .../retrain)' }),
});

const jobProgressSchema = z
  .object({
    phase: z.string().openapi({ description: 'What the job is doing (loading, training, evaluating, …)' }),
    fraction: z.number().openapi({ description: 'Share done, in [0, 1]' }),
    epoch: z.number().optional().openapi({ description: 'Current epoch, while training' }),
    epochs: z.number().optional().openapi({ description: 'Most epochs' }),
    loss: z.number().optional().openapi({ description: 'Training loss of the last epoch' }),
    valLoss: z.number().nullable().optional().openapi({ description: 'Validation loss of the last epoch, or null' }),
  })
  .openapi('JobProgress');

/**
 * How the API shows the stored result of a job type: its schema in the OpenAPI document, and
 * the typed read of the stored JSON (tolerant of the shapes older releases stored). The
 * feature that owns the job type provides it; the composition root hands it to the routes.
 */
export interface JobResultType<R> {
  schema: z.ZodType<R>;
  read(stored: unknown): R;
}

/** A job as the API shows it, its result described by `result`. */
export function jobSchema<R>(result: z.ZodType<R>) {
  return z
    .object({
      id: z.string().openapi({ description: 'Job id' }),
      type: z.string().openapi({ description: 'What it does (retrain)' }),
      model: z.string().openapi({ description: 'The model it works on' }),
      status: z.enum(['queued', 'running', 'succeeded', 'failed', 'canceled']).openapi({ description: 'queued, running, succeeded, failed or canceled' }),
      progress: jobProgressSchema.nullable().openapi({ description: 'Progress while running, or null' }),
      result: result.optional().openapi({ description: 'What a succeeded job produced (retrain: the version and whether it was promoted)' }),
      error: z
        .object({
          code: z.enum(['failed', 'interrupted']).openapi({ description: 'failed: the work threw; interrupted: the server stopped while it ran' }),
          message: z.string().openapi({ description: 'What went wrong' }),
          retriedBy: z.string().optional().openapi({ description: 'The job that retries it' }),
        })
        .optional()
        .openapi({ description: 'Why it failed or was interrupted' }),
      params: z.record(z.string(), z.unknown()).openapi({ description: 'What queued the job, e.g. {trigger: "manual"} or {trigger: "drift", newLabels}' }),
      attempt: z.number().openapi({ description: '1, or more when it was retried after an interruption' }),
      retryOf: z.string().nullable().openapi({ description: 'The job it retries, or null' }),
      cancelRequested: z.boolean().optional().openapi({ description: 'A cancel was asked while it ran' }),
      createdAt: z.string().openapi({ description: 'When it was queued' }),
      startedAt: z.string().nullable().optional().openapi({ description: 'When it started, or null' }),
      finishedAt: z.string().optional().openapi({ description: 'When it finished' }),
    })
    .openapi('Job');
}

export type JobBody<R> = z.infer<ReturnType<typeof jobSchema<R>>>;

/** A job as the API shows it, a succeeded job's result read as `results` says. */
export function jobBody<R>(job: Job, results: JobResultType<R>): JobBody<R> {
  const { modelId: _modelId, ...rest } = job;
  return rest.status === 'succeeded' ? { ...rest, result: results.read(rest.result) } : rest;
}
