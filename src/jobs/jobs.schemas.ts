import { z } from '@hono/zod-openapi';
import type { Job } from './job.js';

export const jobParams = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' }, example: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' }),
});

const jobProgressSchema = z
  .object({
    phase: z.string(),
    fraction: z.number(),
    epoch: z.number().optional(),
    epochs: z.number().optional(),
    loss: z.number().optional(),
    valLoss: z.number().nullable().optional(),
  })
  .openapi('JobProgress');

export const jobSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    model: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'canceled']),
    progress: jobProgressSchema.nullable(),
    result: z.unknown().optional(),
    error: z.object({ code: z.enum(['failed', 'interrupted']), message: z.string(), retriedBy: z.string().optional() }).optional(),
    params: z.record(z.string(), z.unknown()).openapi({ description: 'What queued the job, e.g. {trigger: "manual"} or {trigger: "drift", newLabels}' }),
    attempt: z.number(),
    retryOf: z.string().nullable(),
    cancelRequested: z.boolean().optional(),
    createdAt: z.string(),
    startedAt: z.string().nullable().optional(),
    finishedAt: z.string().optional(),
  })
  .openapi('Job');

export type JobBody = z.infer<typeof jobSchema>;

/** A job as the API shows it. */
export function jobBody(job: Job): JobBody {
  const { modelId: _modelId, ...rest } = job;
  return rest;
}
