import { z } from '@hono/zod-openapi';
import { embedding, modelParams } from '../http/common.schemas.js';
import type { ModelVersion } from './version.js';
import { decisionSchema, thresholdsSchema, trainedOnSchema, versionMetricsSchema } from './version.schemas.js';

export const versionParams = modelParams.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .openapi({ param: { name: 'version', in: 'path' }, example: 1, type: 'integer', description: 'Version number, from 1' }),
});

export const retrainResultSchema = z.object({ jobId: z.string().openapi({ description: 'The queued job: GET /v1/jobs/{id}' }) }).openapi('RetrainAccepted');

export const versionSchema = z
  .object({
    version: z.number().openapi({ description: 'Version number, from 1' }),
    status: z.enum(['champion', 'challenger', 'retired']).openapi({ description: 'champion: serves /predict; challenger: trained, not promoted; retired: a former champion' }),
    createdAt: z.string().openapi({ description: 'When training finished (ISO 8601)' }),
    metrics: versionMetricsSchema,
    trainedOn: trainedOnSchema,
    decision: decisionSchema,
    thresholds: thresholdsSchema,
    concepts: z.array(z.string()).openapi({ description: 'Output concepts, in the artifact’s order' }),
    backend: z.string().openapi({ description: 'TensorFlow.js backend that trained it' }),
    durationMs: z.number().openapi({ description: 'Training duration in milliseconds' }),
    jobId: z.string().nullable().openapi({ description: 'The retraining job, or null' }),
    promotedAt: z.string().nullable().openapi({ description: 'When it last became champion, or null' }),
    retiredAt: z.string().nullable().openapi({ description: 'When it was retired, or null' }),
  })
  .openapi('ModelVersion');

export const versionsSchema = z.array(versionSchema).openapi('ModelVersions');

export const predictBodySchema = z
  .object({ embeddings: z.array(embedding).min(1).openapi({ description: 'Embeddings to score with the champion' }) })
  .openapi('PredictRequest', { example: { embeddings: [[0.8, 0.2, 0.2]] } });

export const predictResultSchema = z
  .object({
    version: z.number().openapi({ description: 'The champion version that scored' }),
    scores: z.array(z.record(z.string(), z.number())).openapi({ description: 'Per embedding: score per concept id' }),
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
    trainedOn: v.trainedOn,
    decision: v.decision,
    thresholds: v.thresholds,
    concepts: v.concepts,
    backend: v.backend,
    durationMs: v.durationMs,
    jobId: v.jobId,
    promotedAt: v.promotedAt,
    retiredAt: v.retiredAt,
  };
}
