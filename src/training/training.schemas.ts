import { z } from '@hono/zod-openapi';
import { embedding, modelParams } from '../http/common.schemas.js';
import type { ModelVersion } from './version.js';

export const versionParams = modelParams.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .openapi({ param: { name: 'version', in: 'path' }, example: 3, type: 'integer' }),
});

export const retrainResultSchema = z.object({ jobId: z.string() }).openapi('RetrainAccepted');

export const versionSchema = z
  .object({
    version: z.number(),
    status: z.enum(['champion', 'challenger', 'retired']),
    createdAt: z.string(),
    metrics: z.object({ clean: z.unknown(), production: z.unknown(), validation: z.unknown(), training: z.unknown() }),
    trainedOn: z.record(z.string(), z.unknown()),
    decision: z
      .object({ promote: z.boolean(), reason: z.string() })
      .catchall(z.unknown())
      .openapi({ description: 'The promotion rule at training time (promote, reason, compared figures) and every promotion since' }),
    thresholds: z.record(z.string(), z.unknown()),
    concepts: z.array(z.string()),
    backend: z.string(),
    durationMs: z.number(),
    jobId: z.string().nullable(),
    promotedAt: z.string().nullable(),
    retiredAt: z.string().nullable(),
  })
  .openapi('ModelVersion');

export const versionsSchema = z.array(versionSchema).openapi('ModelVersions');

export const predictBodySchema = z.object({ embeddings: z.array(embedding).min(1) }).openapi('PredictRequest');

export const predictResultSchema = z
  .object({
    version: z.number(),
    scores: z.array(z.record(z.string(), z.number())),
    predicted: z.array(z.array(z.string())).openapi({ description: "Per embedding: the top concept (multiclass), or the concepts at or above the champion's own tuned thresholds (multilabel)" }),
    thresholds: z
      .record(z.string(), z.number())
      .optional()
      .openapi({ description: "Multilabel: the champion's tuned threshold per concept, from its artifact; the scoring settings for the app's scores are separate" }),
  })
  .openapi('PredictResult');

export type VersionBody = z.infer<typeof versionSchema>;

/** A version as the API shows it. */
export function versionBody(v: ModelVersion): VersionBody {
  return {
    version: v.version,
    status: v.status,
    createdAt: v.createdAt,
    metrics: v.metrics,
    trainedOn: { ...v.trainedOn },
    decision: { ...v.decision },
    thresholds: { ...v.thresholds },
    concepts: v.concepts,
    backend: v.backend,
    durationMs: v.durationMs,
    jobId: v.jobId,
    promotedAt: v.promotedAt,
    retiredAt: v.retiredAt,
  };
}
