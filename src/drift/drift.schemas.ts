import { z } from '@hono/zod-openapi';
import { healthReportSchema } from '../health/health.schemas.js';

const driftTestSchema = z
  .object({
    name: z.enum(['ood_rate', 'embedding_mmd', 'prediction_shift', 'confidence_shift', 'labeled_accuracy']).openapi({ description: 'Which test' }),
    status: z.enum(['ok', 'drift', 'insufficient_data']).openapi({ description: 'ok, drift, or insufficient_data when the window or reference is too small' }),
    statistic: z.number().nullable().openapi({ description: 'The test statistic, or null' }),
    pValue: z.number().nullable().openapi({ description: 'Its p-value, or null' }),
    effect: z.number().nullable().openapi({ description: 'The effect size the test is gated on (rate, total variation, KS D, accuracy drop)' }),
    drift: z.boolean().openapi({ description: 'Whether this test counts as drift (p below alpha and effect past its gate)' }),
    summary: z.string().openapi({ description: 'The result in words' }),
    details: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])).openapi({ description: 'Figures behind the result' }),
  })
  .openapi('DriftTest');

const windowSchema = z.object({ size: z.number().openapi({ description: 'drift.windowSize' }), count: z.number().openapi({ description: 'Predictions in the window' }), fromSeq: z.number().nullable().openapi({ description: 'First prediction sequence number, or null' }), toSeq: z.number().nullable().openapi({ description: 'Last prediction sequence number, or null' }) });

const performanceSchema = z
  .object({
    estimatedAccuracy: z.number().openapi({ description: "Estimated accuracy of the window's forwarded top-1 predictions" }),
    interval: z.tuple([z.number(), z.number()]).openapi({ description: '90% interval' }),
    method: z.string().openapi({ description: 'Estimator, and where its calibration came from' }),
    labeled: z.object({ n: z.number().openapi({ description: 'Labeled items used' }), accuracy: z.number().openapi({ description: 'Their raw accuracy' }) }).nullable().openapi({ description: 'Labeled production items used (raw accuracy: the queue picked hard items)' }),
    reference: z.number().nullable().openapi({ description: 'Accuracy expected from eval data' }),
  })
  .openapi('Performance');

const driftSnapshotSchema = z
  .object({
    id: z.number().openapi({ description: 'Evaluation id' }),
    at: z.string().openapi({ description: 'When it ran' }),
    toSeq: z.number().nullable().openapi({ description: 'Last prediction sequence number of its window' }),
    count: z.number().openapi({ description: 'Predictions in its window' }),
    score: z.number().openapi({ description: 'The window OOD rate' }),
    threshold: z.number().openapi({ description: 'drift.threshold' }),
    status: z.enum(['ok', 'drift']).openapi({ description: 'ok or drift' }),
    tests: z.array(driftTestSchema.pick({ name: true, status: true, statistic: true, pValue: true, drift: true })).openapi({ description: 'The tests, in brief' }),
    performance: performanceSchema.nullable().openapi({ description: 'The accuracy estimate, or null' }),
  })
  .openapi('DriftSnapshot');

const driftEventSchema = z
  .object({
    id: z.number().openapi({ description: 'Event id' }),
    severity: z.enum(['critical', 'warning']).openapi({ description: 'critical: accuracy confirmed to drop; warning: input drift not shown to hurt accuracy' }),
    kind: z.enum(['ood', 'performance']).openapi({ description: 'ood: the OOD rate (window rule or sequential detector); performance: the estimated accuracy' }),
    modelId: z.number().openapi({ description: 'Internal model id' }),
    model: z.string().openapi({ description: 'Model name' }),
    at: z.string().openapi({ description: 'When it was raised' }),
    score: z.number().openapi({ description: 'Window OOD rate (ood) or estimated accuracy drop (performance)' }),
    threshold: z.number().openapi({ description: 'The threshold it passed' }),
    pValue: z.number().openapi({ description: 'p-value of the deciding test' }),
    snapshotId: z.number().openapi({ description: 'The evaluation that raised it' }),
    deliveries: z.array(
      z.object({
        url: z.string().openapi({ description: 'Webhook URL' }),
        status: z.enum(['pending', 'delivered', 'failed', 'canceled']).openapi({ description: 'pending, delivered, failed or canceled' }),
        attempts: z.number().openapi({ description: 'Attempts so far' }),
        lastStatusCode: z.number().nullable().openapi({ description: 'HTTP status of the last attempt, or null' }),
        lastError: z.string().nullable().openapi({ description: 'Error of the last attempt (admins only), or null' }),
      }),
    ).openapi({ description: 'Webhook deliveries of the event' }),
  })
  .openapi('DriftEvent');

const sequentialStatusSchema = z
  .object({
    method: z.literal('bernoulli_cusum').openapi({ description: 'The detector: a Bernoulli CUSUM on the OOD flags' }),
    state: z.enum(['armed', 'unarmed']).openapi({ description: 'unarmed until the eval split is large enough (calibration.required)' }),
    alarmed: z.boolean().openapi({ description: 'Whether it alarmed since the last reset' }),
    statistic: z.number().openapi({ description: 'The CUSUM statistic' }),
    limit: z.number().openapi({ description: 'Its alarm limit (from drift.arl0)' }),
    up: z.number().openapi({ description: 'Statistic step on an OOD prediction' }),
    down: z.number().openapi({ description: 'Statistic step on an in-distribution prediction' }),
    p0: z.number().openapi({ description: 'In-distribution OOD probability the calibration promises' }),
    target: z.number().openapi({ description: 'The OOD rate the detector is tuned to catch fastest (drift.sequentialTarget)' }),
    arl0: z.number().openapi({ description: 'drift.arl0: average in-distribution predictions between false alarms' }),
    arl0Exact: z.number().openapi({ description: 'The exact in-distribution average run length at limit' }),
    observed: z.number().openapi({ description: 'Predictions seen since the reset' }),
    since: z.string().nullable().openapi({ description: 'When it was last reset, or null' }),
    lastSeq: z.number().nullable().openapi({ description: 'Last prediction sequence number seen, or null' }),
    alarm: z.object({ at: z.string().openapi({ description: 'When it alarmed' }), seq: z.number().openapi({ description: 'Prediction sequence number that raised it' }), statistic: z.number().openapi({ description: 'The CUSUM statistic' }) }).nullable().openapi({ description: 'The alarm, or null' }),
    calibration: z.object({ source: z.enum(['eval', 'leave-one-out']).openapi({ description: 'eval or leave-one-out' }), size: z.number().openapi({ description: 'Calibration distances' }), required: z.number().openapi({ description: 'Eval examples it needs to arm' }) }).openapi({ description: 'The calibration it relies on' }),
    summary: z.string().openapi({ description: 'Its state in words' }),
  })
  .openapi('SequentialDetector');

export const driftOverviewSchema = z
  .object({
    model: z.string().openapi({ description: 'Model name' }),
    status: z.enum(['ok', 'drift']).openapi({ description: 'ok or drift' }),
    score: z.number().openapi({ description: "The window's OOD rate" }),
    threshold: z.number().openapi({ description: 'drift.threshold' }),
    alpha: z.number().openapi({ description: 'drift.alpha' }),
    window: windowSchema.openapi({ description: 'The evaluated window' }),
    tests: z.array(driftTestSchema).openapi({ description: 'The five tests' }),
    sequential: sequentialStatusSchema.openapi({ description: 'The sequential detector' }),
    performance: performanceSchema.nullable().openapi({ description: 'Estimated accuracy of the forwarded predictions, or null' }),
    rescored: z
      .object({
        version: z.number().openapi({ description: 'The champion whose promotion took production data into the reference' }),
        since: z.string().openapi({ description: 'When it was promoted' }),
        predictions: z.number().openapi({ description: 'Window predictions scored before it' }),
        oodAtIngestion: z.number().openapi({ description: 'Of them, OOD when ingested' }),
        oodNow: z.number().openapi({ description: 'Of them, OOD against the new reference' }),
      })
      .nullable()
      .openapi({
        description:
          "The window's predictions scored before the champion's promotion took labeled production data into the reference, re-measured against it (score and status count them as they are now); null when none",
      }),
    evaluatedAt: z.string().openapi({ description: 'When drift was evaluated' }),
    timingsMs: z.record(z.string(), z.number()).openapi({ description: 'Milliseconds per step of the evaluation' }),
    history: z.array(driftSnapshotSchema).openapi({ description: 'Stored evaluations, oldest first' }),
    events: z.array(driftEventSchema).openapi({ description: 'Recent drift events, newest first' }),
  })
  .openapi('Drift');

export const reportQuerySchema = z.object({
  format: z.enum(['html', 'json']).optional().openapi({ param: { name: 'format', in: 'query' }, description: 'html (default) or json' }),
});

export const reportSchema = z
  .object({
    model: z
      .object({
        name: z.string().openapi({ description: 'Model name' }),
        task: z.string().openapi({ description: 'multiclass or multilabel' }),
        metric: z.string().openapi({ description: 'cosine or l2' }),
        embeddingDim: z.number().openapi({ description: 'Embedding length' }),
        encoder: z.string().nullable().openapi({ description: 'The encoder, or null' }),
        concepts: z.number().openapi({ description: 'Concepts in the taxonomy' }),
        quantile: z.number().openapi({ description: 'ood.quantile in force' }),
        maxAccuracyDrop: z.number().openapi({ description: 'drift.maxAccuracyDrop in force' }),
      })
      .openapi({ description: 'The model the report is about' }),
    generatedAt: z.string().openapi({ description: 'When the report was built' }),
    calibration: z.object({ source: z.enum(['eval', 'leave-one-out']).openapi({ description: 'eval or leave-one-out' }), size: z.number().openapi({ description: 'Calibration distances' }) }).openapi({ description: 'What the OOD score is calibrated on' }),
    drift: driftOverviewSchema.openapi({ description: 'Drift over the current window' }),
    distributions: z.object({
      confidence: z.object({ edges: z.array(z.number()).openapi({ description: 'Bin edges' }), production: z.array(z.number()).openapi({ description: 'Share per bin (production window)' }), baseline: z.array(z.number()).openapi({ description: 'Share per bin (reference)' }), baselineSource: z.string().nullable().openapi({ description: 'Where the reference comes from, or null when there is none yet' }) }).openapi({ description: 'Histogram of top-1 scores' }),
      concepts: z.array(z.object({ concept: z.string().openapi({ description: 'Concept id' }), production: z.number().openapi({ description: 'Share of the window predicted as this concept' }), training: z.number().openapi({ description: 'Training share' }) })).openapi({ description: 'Predicted vs training share per concept' }),
    }).openapi({ description: 'What the charts show' }),
    regions: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'Regions of recent production data, with their map; null without the regions feature' }),
    versions: z
      .array(
        z.object({
          version: z.union([z.string(), z.number()]).openapi({ description: 'Version number' }),
          status: z.string().openapi({ description: 'champion, challenger or retired' }),
          createdAt: z.string().openapi({ description: 'When it was trained' }),
          metrics: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Its metrics (see ModelVersion.metrics)' }),
          trainedOn: z.unknown().optional().openapi({ description: 'Its lineage (see ModelVersion.trainedOn)' }),
        }),
      )
      .openapi({ description: 'Versions, newest first' }),
    health: healthReportSchema.nullable().openapi({ description: 'The training-data checklist, or null' }),
  })
  .openapi('DriftReport');
