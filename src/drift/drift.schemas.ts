import { z } from '@hono/zod-openapi';
import { healthReportSchema } from '../health/health.schemas.js';

const driftTestSchema = z
  .object({
    name: z.enum(['ood_rate', 'embedding_mmd', 'prediction_shift', 'confidence_shift', 'labeled_accuracy']),
    status: z.enum(['ok', 'drift', 'insufficient_data']),
    statistic: z.number().nullable(),
    pValue: z.number().nullable(),
    effect: z.number().nullable().openapi({ description: 'The effect size the test is gated on (rate, total variation, KS D, accuracy drop)' }),
    drift: z.boolean(),
    summary: z.string(),
    details: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  })
  .openapi('DriftTest');

const windowSchema = z.object({ size: z.number(), count: z.number(), fromSeq: z.number().nullable(), toSeq: z.number().nullable() });

const performanceSchema = z
  .object({
    estimatedAccuracy: z.number().openapi({ description: "Estimated accuracy of the window's forwarded top-1 predictions" }),
    interval: z.tuple([z.number(), z.number()]).openapi({ description: '90% interval' }),
    method: z.string().openapi({ description: 'Estimator, and where its calibration came from' }),
    labeled: z.object({ n: z.number(), accuracy: z.number() }).nullable().openapi({ description: 'Labeled production items used (raw accuracy: the queue picked hard items)' }),
    reference: z.number().nullable().openapi({ description: 'Accuracy expected from eval data' }),
  })
  .openapi('Performance');

const driftSnapshotSchema = z
  .object({
    id: z.number(),
    at: z.string(),
    toSeq: z.number().nullable(),
    count: z.number(),
    score: z.number(),
    threshold: z.number(),
    status: z.enum(['ok', 'drift']),
    tests: z.array(driftTestSchema.pick({ name: true, status: true, statistic: true, pValue: true, drift: true })),
    performance: performanceSchema.nullable(),
  })
  .openapi('DriftSnapshot');

const driftEventSchema = z
  .object({
    id: z.number(),
    severity: z.enum(['critical', 'warning']).openapi({ description: 'critical: accuracy confirmed to drop; warning: input drift not shown to hurt accuracy' }),
    kind: z.enum(['ood', 'performance']).openapi({ description: 'ood: the OOD rate (window rule or sequential detector); performance: the estimated accuracy' }),
    modelId: z.number(),
    model: z.string(),
    at: z.string(),
    score: z.number(),
    threshold: z.number(),
    pValue: z.number(),
    snapshotId: z.number(),
    deliveries: z.array(
      z.object({
        url: z.string(),
        status: z.enum(['pending', 'delivered', 'failed', 'canceled']),
        attempts: z.number(),
        lastStatusCode: z.number().nullable(),
        lastError: z.string().nullable(),
      }),
    ),
  })
  .openapi('DriftEvent');

const sequentialStatusSchema = z
  .object({
    method: z.literal('bernoulli_cusum'),
    state: z.enum(['armed', 'unarmed']).openapi({ description: 'unarmed until the eval split is large enough (calibration.required)' }),
    alarmed: z.boolean(),
    statistic: z.number(),
    limit: z.number(),
    up: z.number(),
    down: z.number(),
    p0: z.number().openapi({ description: 'In-distribution OOD probability the calibration promises' }),
    target: z.number().openapi({ description: 'The OOD rate the detector is tuned to catch fastest (drift.sequentialTarget)' }),
    arl0: z.number().openapi({ description: 'drift.arl0: average in-distribution predictions between false alarms' }),
    arl0Exact: z.number().openapi({ description: 'The exact in-distribution average run length at limit' }),
    observed: z.number(),
    since: z.string().nullable(),
    lastSeq: z.number().nullable(),
    alarm: z.object({ at: z.string(), seq: z.number(), statistic: z.number() }).nullable(),
    calibration: z.object({ source: z.enum(['eval', 'leave-one-out']), size: z.number(), required: z.number() }),
    summary: z.string(),
  })
  .openapi('SequentialDetector');

export const driftOverviewSchema = z
  .object({
    model: z.string(),
    status: z.enum(['ok', 'drift']),
    score: z.number().openapi({ description: "The window's OOD rate" }),
    threshold: z.number(),
    alpha: z.number(),
    window: windowSchema,
    tests: z.array(driftTestSchema),
    sequential: sequentialStatusSchema,
    performance: performanceSchema.nullable(),
    rescored: z
      .object({ version: z.number(), since: z.string(), predictions: z.number(), oodAtIngestion: z.number(), oodNow: z.number() })
      .nullable()
      .openapi({
        description:
          "The window's predictions scored before the champion's promotion took labeled production data into the reference, re-measured against it (score and status count them as they are now); null when none",
      }),
    evaluatedAt: z.string(),
    timingsMs: z.record(z.string(), z.number()),
    history: z.array(driftSnapshotSchema).openapi({ description: 'Stored evaluations, oldest first' }),
    events: z.array(driftEventSchema).openapi({ description: 'Recent drift events, newest first' }),
  })
  .openapi('Drift');

export const reportQuerySchema = z.object({
  format: z.enum(['html', 'json']).optional().openapi({ param: { name: 'format', in: 'query' }, description: 'html (default) or json' }),
});

export const reportSchema = z
  .object({
    model: z.record(z.string(), z.unknown()),
    generatedAt: z.string(),
    calibration: z.object({ source: z.enum(['eval', 'leave-one-out']), size: z.number() }),
    drift: driftOverviewSchema,
    distributions: z.object({
      confidence: z.object({ edges: z.array(z.number()), production: z.array(z.number()), baseline: z.array(z.number()), baselineSource: z.string().nullable() }),
      concepts: z.array(z.object({ concept: z.string(), production: z.number(), training: z.number() })),
    }),
    regions: z.record(z.string(), z.unknown()).nullable(),
    versions: z.array(z.record(z.string(), z.unknown())),
    health: healthReportSchema.nullable(),
  })
  .openapi('DriftReport');
