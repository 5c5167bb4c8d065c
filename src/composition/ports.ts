import type { Db } from '../db/database.js';
import { bindReads } from '../db/bind-reads.js';
import * as exampleReads from '../examples/example-reads.repository.js';
import * as predictionReads from '../predictions/prediction-reads.repository.js';
import { lastIssuedRegion } from '../regions/region-ids.repository.js';
import { PredictionCounter } from '../predictions/prediction-counter.js';
import type { DriftProviders, VersionSummary } from '../drift/drift.providers.js';
import type { SequentialDetector } from '../drift/sequential/sequential.service.js';
import type { ReferenceStateReader } from '../drift/sequential/sequential.types.js';
import type { PredictionSink } from '../predictions/prediction.js';
import type { ReferenceRegistry } from '../reference/reference.registry.js';
import { PERFORMANCE_LABELS } from '../drift/performance/estimate.js';
import type { ExamplesService } from '../examples/examples.service.js';
import type { EvalScoresCalibration } from '../drift/performance/eval-scores.source.js';
import type { HealthService } from '../health/health.service.js';
import type { ModelsService } from '../models/models.service.js';
import type { QueueLabeledSource } from '../queue/labeled-source.js';
import type { RegionsService } from '../regions/regions.service.js';
import type { TrainingService } from '../training/training.service.js';
import type { ModelVersion, TrainedOn } from '../training/version.js';
import type { WebhookTargetResolver } from '../webhooks/webhook.dispatcher.js';

/**
 * What the owners of `examples` and `predictions` let other features read, bound to one
 * database. Each reader declares the slice it needs as a port (`drift.ports.ts`,
 * `health.ports.ts`, …); this object satisfies them all.
 */
export function ownerReads(db: Db) {
  return {
    examples: bindReads(db, exampleReads),
    // Counted from where the last count ended, not from the first prediction (see PredictionCounter).
    predictions: { ...bindReads(db, predictionReads), countPredictions: new PredictionCounter(db).count },
    hasData: async (trx: Db, modelId: number) => (await exampleReads.hasExamples(trx, modelId)) || (await predictionReads.hasPredictions(trx, modelId)),
  };
}

/** The same reads unbound (executor first), for a reader that reads inside its own transactions (the queue). */
export const ownerReadRepositories = { examples: exampleReads, predictions: predictionReads, regions: { lastIssuedRegion } };

/** What drift monitoring reads from retraining, the review queue and training-data health. */
export function driftProviders(f: {
  training: TrainingService;
  queueLabels: QueueLabeledSource;
  health: HealthService;
  evalScores: EvalScoresCalibration;
  examples: ExamplesService;
  references: ReferenceRegistry;
  regions: RegionsService;
}): DriftProviders {
  return {
    appReferenceScores: (model, limit) => f.examples.appTopScores(model, limit),
    calibration: async (model) => (await f.references.get(model)).calibrationSource(),
    labeledAccuracy: async (model) => {
      const production = await f.queueLabels.accuracy(model);
      return production && { production, evalAccuracy: (await f.training.championEvalStats(model))?.accuracy ?? undefined };
    },
    performanceLabels: (model) => f.queueLabels.performanceSignals(model, PERFORMANCE_LABELS),
    performanceCalibration: async (model) => {
      // The app's own scores on labeled eval inputs calibrate best; the champion's eval summary is the fallback.
      const scored = await f.evalScores.source(model);
      if (scored) return scored;
      const stats = await f.training.championEvalStats(model);
      if (!stats || stats.accuracy === null || stats.confidences.length === 0) return undefined;
      const meanScore = stats.confidences.reduce((a, b) => a + b, 0) / stats.confidences.length;
      return { kind: 'summary', source: `champion v${stats.version} on eval data`, accuracy: stats.accuracy, meanScore, size: stats.confidences.length };
    },
    referenceEpoch: async (model) => {
      const promotion = await f.training.versions.championPromotion(model);
      if (!promotion?.learnedProduction) return undefined;
      const set = await f.references.get(model);
      return { version: promotion.version, since: promotion.promotedAt, key: `${set.highWater}:${set.train.size}:${set.calibrationSource().size}` };
    },
    remeasure: async (model, embeddings) => (await (await f.references.get(model)).measureMany(embeddings)).map((m) => m.score),
    versions: async (model) => (await f.training.versions.list(model)).map(versionSummary),
    trainingHealth: (model) => f.health.check(model),
    regions: (model) => f.regions.snapshot(model),
  };
}

/** The reference a model's p-values come from, keyed by the highest example it took in (a promotion adds some). */
export function sequentialReference(references: ReferenceRegistry): ReferenceStateReader {
  return async (model) => {
    const set = await references.get(model);
    return { key: String(set.highWater), calibration: set.calibrationSource() };
  };
}

/**
 * The review queue's sink and the sequential drift detector, inside the ingest transaction: the
 * detector's write goes with the queue's statements, after the queue lock (one round trip on
 * PostgreSQL), or alone when the batch queues nothing.
 */
export function withSequentialDetector(sink: PredictionSink, sequential: SequentialDetector): PredictionSink {
  return async (model, fresh) => {
    const step = await sink(model, fresh);
    return async (db, scored, trip) => {
      const finish = await sequential.stage(trip, db, model, scored.map((s) => ({ seq: s.seq, isOod: s.score.ood.isOod })));
      const queued = await step(db, scored, trip);
      await trip.flush();
      await finish();
      return queued;
    };
  };
}

/** A webhook's secret and retry policy, read from the model's current settings. */
export function webhookTargets(models: ModelsService): WebhookTargetResolver {
  return async (modelId, url) => {
    const model = (await models.list()).find((m) => m.id === modelId);
    const hook = model?.settings.webhooks.find((w) => (typeof w === 'string' ? w : w.url) === url);
    if (!model || hook === undefined) return undefined;
    return { secret: typeof hook === 'string' ? undefined : hook.secret, policy: model.settings.webhookDelivery };
  };
}

function versionSummary(v: ModelVersion): VersionSummary {
  const d = v.decision;
  const set = d.evalSets?.production ?? null;
  return {
    version: v.version,
    status: v.status,
    createdAt: v.createdAt,
    metrics: headline(v.metrics),
    trainedOn: describeData(v.trainedOn),
    // Versions recorded before the paired test have no eval-set record.
    decision: {
      promote: d.promote,
      reason: d.reason,
      evalSet: set && { name: set.name, size: set.size, digest: set.digest },
      test: d.comparison.significance?.test ?? null,
      production: productionComparison(v),
    },
  };
}

function productionComparison(v: ModelVersion): NonNullable<VersionSummary['decision']>['production'] {
  const mine = v.metrics.production;
  const theirs = v.decision.champion?.production;
  if (!mine || !theirs || !v.decision.champion) return null;
  return { size: mine.count, accuracy: mine.accuracy, replaced: { version: v.decision.champion.version, accuracy: theirs.accuracy } };
}

/** The headline figures of a version, for reports. */
function headline(metrics: { clean?: { accuracy: number; macroF1: number } | null; production?: { accuracy: number; macroF1: number } | null }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [set, m] of Object.entries({ clean: metrics.clean, production: metrics.production })) {
    if (m) {
      out[`${set}.accuracy`] = m.accuracy;
      out[`${set}.macroF1`] = m.macroF1;
    }
  }
  return out;
}

/** One line a reader takes in: what the version learned from, on which backend. */
function describeData(t: TrainedOn): string {
  const original = t.original.fit + t.original.validation;
  const production = t.production.fit + t.production.validation;
  const added = t.addedConcepts.length > 0 ? `; new concepts: ${t.addedConcepts.join(', ')}` : '';
  return `${original} examples + ${production} labeled production items (${t.labelIds.length} labels)${added}; ${t.backend}, ${(t.durationMs / 1000).toFixed(1)} s`;
}
