import { z } from '@hono/zod-openapi';
import { embedding, modelParams } from '../http/common.schemas.js';
import type { JobResultType } from '../jobs/jobs.schemas.js';
import type { StoredRetrainResult } from './retrain.job.js';
import type { ModelVersion } from './version.js';
import { decisionSchema, evalSetSchema, headlineFields, significanceSchema, thresholdsSchema, trainedOnSchema, versionMetricsSchema } from './version.schemas.js';

export const versionParams = modelParams.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .openapi({ param: { name: 'version', in: 'path' }, example: 1, type: 'integer', description: 'Version number, from 1' }),
});

export const retrainResultSchema = z.object({ jobId: z.string().openapi({ description: 'The queued job: GET /v1/jobs/{id}' }) }).openapi('RetrainAccepted');

const summary = (set: string) =>
  z
    .object(headlineFields)
    .nullable()
    .openapi({ description: `The new version on ${set} eval data, or null when the set is empty` });

/** A succeeded retrain job's result as stored: see `StoredRetrainResult` for the older shapes it allows. */
export const retrainJobResultSchema = z
  .object({
    version: z.number().openapi({ description: 'The version it trained' }),
    status: z.enum(['champion', 'challenger', 'retired']).openapi({ description: 'The version’s status when the job finished' }),
    promoted: z.boolean().openapi({ description: 'Whether the promotion rule promoted it' }),
    reason: z.string().openapi({ description: 'The rule’s verdict in words, as in the version’s decision' }),
    metrics: z.object({ clean: summary('clean'), production: summary('production') }).openapi({ description: 'The headline figures on the held-out sets' }),
    decision: z
      .object({
        evalSets: z.object({ production: evalSetSchema, clean: evalSetSchema }).openapi({ description: 'The sets both versions were scored on at decision time' }),
        significance: significanceSchema,
      })
      // Results recorded before the paired comparison (2026-11-30) have none.
      .optional()
      .openapi({ description: 'What the rule compared at decision time (the version’s decision has the rest); absent from results recorded before the paired comparison (2026-11-30)' }),
  })
  .openapi('RetrainJobResult', { description: 'What a succeeded retrain job produced' });

/**
 * A retrain job's stored result, read back typed as stored: served as it was written (no field
 * added or dropped), and whoever reads it must allow for the records that lack randomisation.
 */
export const retrainJobResult: JobResultType<StoredRetrainResult> = {
  schema: retrainJobResultSchema,
  // The return type ties the stored type to the schema: a field the schema requires and old records lack fails tsc.
  read: (stored): z.infer<typeof retrainJobResultSchema> => stored as StoredRetrainResult,
};

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
