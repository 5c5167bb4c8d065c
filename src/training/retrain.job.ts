import type { Logger } from 'pino';
import type { JobContext } from '../jobs/job-runner.js';
import type { HeadSpec, Trainer } from '../ml/classifier.js';
import type { Model } from '../models/model.js';
import type { ModelsService } from '../models/models.service.js';
import { isoNow, type Clock } from '../util/clock.js';
import { decodeVector } from '../util/vectors.js';
import { evaluate, topScores, type EvalMetrics } from './evaluate.js';
import type { LabeledProductionSource } from './labeled-production.js';
import { answerSets, evalSetRef, pairedEvidence, truthSets } from './paired-evidence.js';
import { decidePromotion, type ChampionAtDecision, type HeldOutMetrics, type PairedEvidence, type PromotionDecision, type StoredPairedEvidence } from './promotion.js';
import { assembleTrainingData, type LabeledRows, type SourceRecord, type TrainingData } from './training-data.js';
import type { OriginalExamplesReader } from './training.ports.js';
import { tuneThresholds } from './tune-thresholds.js';
import type { ModelVersion, TrainedOn, VersionMetrics } from './version.js';
import type { VersionsService } from './versions.service.js';
import { rowWeights } from './weights.js';

/**
 * What a finished retraining job reports. `P` is the paired evidence: whole in a result being
 * made, `StoredPairedEvidence` in one read back (see `StoredRetrainResult`).
 */
export interface RetrainResult<P extends StoredPairedEvidence = PairedEvidence> {
  version: number;
  status: ModelVersion['status'];
  promoted: boolean;
  reason: string;
  metrics: { clean: Summary | null; production: Summary | null };
  /** What the rule compared at decision time: the sets (name, size, digest) and the paired test. */
  decision: { evalSets: PromotionDecision<P>['evalSets']; significance: PromotionDecision<P>['comparison']['significance'] };
}

/**
 * A job's result as stored: one made before the sign-flip test (2026-12-02) has no
 * `randomisation`, and one made before the paired comparison (2026-11-30) no `decision`.
 */
export type StoredRetrainResult = Omit<RetrainResult<StoredPairedEvidence>, 'decision'> & Partial<Pick<RetrainResult<StoredPairedEvidence>, 'decision'>>;

export interface Summary {
  count: number;
  accuracy: number;
  macroF1: number;
}

export interface RetrainDeps {
  examples: OriginalExamplesReader;
  models: ModelsService;
  versions: VersionsService;
  trainer: Trainer;
  labeled: LabeledProductionSource;
  clock: Clock;
  log: Logger;
}

const CONCEPT_ID = /^.{1,128}$/s;

/** The `retrain` job: reads the data, trains a head, evaluates it against the champion, records it and promotes it if it wins. */
export async function runRetrain(deps: RetrainDeps, ctx: JobContext): Promise<RetrainResult> {
  const started = performance.now();
  const model = await deps.models.get(ctx.job.model);
  const settings = model.settings.retrain;
  await ctx.progress({ phase: 'loading', fraction: 0 });
  const data = await loadTrainingData(deps, model);
  if (data.fit.n === 0) throw new Error(`Model '${model.name}' has no train-split data to train on`);
  ctx.signal.throwIfAborted();

  const spec: HeadSpec = {
    kind: model.task === 'multiclass' ? 'softmax' : 'sigmoid',
    inputDim: model.embeddingDim,
    outputs: data.concepts.length,
    hiddenUnits: settings.hiddenUnits,
  };
  const weighted = rowWeights(model.task, data.fit, data.concepts.length, settings);
  const validationWeights = rowWeights(model.task, data.validation, data.concepts.length, settings).weights;
  const fitStarted = performance.now();
  const fit = await deps.trainer.fit(
    spec,
    { n: data.fit.n, x: data.fit.x, y: data.fit.y, weights: weighted.weights },
    { n: data.validation.n, x: data.validation.x, y: data.validation.y, weights: validationWeights },
    {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      patience: settings.patience,
      seed: settings.seed,
      positiveWeights: weighted.positiveWeights,
      signal: ctx.signal,
      onEpoch: (r) => ctx.progress({ phase: 'training', fraction: 0.05 + (0.85 * r.epoch) / r.epochs, ...r }),
    },
  );
  const fitMs = Math.round(performance.now() - fitStarted);
  try {
    await ctx.progress({ phase: 'evaluating', fraction: 0.9, epoch: fit.epochsRun, epochs: settings.epochs });
    const score = (rows: LabeledRows) => fit.classifier.predict(rows.x, rows.n);
    const scores = { validation: score(data.validation), clean: score(data.cleanEval), production: score(data.productionEval) };
    // Tuned on the validation slice, not on the eval sets: the promotion rule compares eval metrics, which must stay unbiased.
    const thresholds = tuneThresholds(model.task, data.concepts, scores.validation, data.validation, settings);
    const on = (probs: Float32Array, rows: LabeledRows) => evaluate(model.task, data.concepts, probs, rows, thresholds);
    const held: HeldOutMetrics = { clean: on(scores.clean, data.cleanEval), production: on(scores.production, data.productionEval) };
    const evalSets = { production: evalSetRef('production-eval', data.productionEval, data.dataAsOf), clean: evalSetRef('clean-eval', data.cleanEval, data.dataAsOf) };
    const champion = await deps.versions.champion(model);
    const candidateAnswers = answerSets(model.task, data.concepts, scores.production, data.productionEval.n, thresholds);
    const championHeld = champion ? await scoreChampion(deps, model, champion, data, candidateAnswers) : undefined;
    const decision = decidePromotion(held, championHeld, {
      maxCleanRegression: settings.maxCleanRegression,
      alpha: settings.promotionAlpha,
      minEval: { examples: settings.minEvalExamples, perConcept: settings.minEvalPerConcept },
      evalSets,
    });
    ctx.signal.throwIfAborted();

    const metrics: VersionMetrics = {
      clean: held.clean ?? null,
      production: held.production ?? null,
      validation: on(scores.validation, data.validation) ?? null,
      training: { epochsRun: fit.epochsRun, bestEpoch: fit.bestEpoch, stoppedEarly: fit.stoppedEarly, batchSize: fit.batchSize, fitMs, history: fit.history },
    };
    const durationMs = Math.round(performance.now() - started);
    const k = data.concepts.length;
    const recorded = await deps.versions.record(model, {
      classifier: fit.classifier,
      jobId: ctx.job.id,
      task: model.task,
      concepts: data.concepts,
      backend: deps.trainer.backend,
      metrics,
      thresholds,
      trainedOn: lineage(model, data, deps.trainer.backend, durationMs, ctx.job.id, weighted.perConcept),
      decision: { ...decision, promotions: [] },
      evalConfidences: [...topScores(scores.clean, data.cleanEval.n, k), ...topScores(scores.production, data.productionEval.n, k)],
      evalAccuracy: pooledAccuracy(held.clean, held.production),
      dataAsOf: data.dataAsOf,
      durationMs,
    });
    const final = decision.promote ? await deps.versions.promote(model, recorded.version, 'rule') : recorded;
    deps.log.info({ model: model.name, version: final.version, status: final.status, reason: decision.reason, durationMs }, 'version trained');
    await ctx.progress({ phase: 'done', fraction: 1, epoch: fit.epochsRun, epochs: settings.epochs });
    return {
      version: final.version,
      status: final.status,
      promoted: decision.promote,
      reason: decision.reason,
      metrics: { clean: summary(held.clean), production: summary(held.production) },
      decision: { evalSets: decision.evalSets, significance: decision.comparison.significance },
    };
  } finally {
    fit.classifier.dispose();
  }
}

async function loadTrainingData(deps: RetrainDeps, model: Model): Promise<TrainingData & { dataAsOf: string }> {
  const settings = model.settings.retrain;
  const source = deps.labeled;
  const dataAsOf = isoNow(deps.clock);
  const [originals, production, proposed] = await Promise.all([
    originalExamples(deps.examples, model.id),
    source.list(model.id),
    source.proposedConcepts(model.id),
  ]);
  const taxonomy = model.concepts.map((c) => c.id);
  const addedConcepts = proposed
    .filter((p) => p.labels >= settings.minConceptLabels && p.labelers >= settings.minConceptLabelers && !taxonomy.includes(p.concept) && CONCEPT_ID.test(p.concept))
    .map((p) => p.concept)
    .sort();
  const data = assembleTrainingData({
    task: model.task,
    dim: model.embeddingDim,
    taxonomy,
    addedConcepts,
    originals,
    production,
    validationShare: settings.validationShare,
    splitKey: model.splitKey,
  });
  return { ...data, dataAsOf };
}

/**
 * Scores the champion on today's held-out data, its outputs mapped onto the candidate's
 * concepts (0 for concepts it lacks), and pairs its production-eval answers with the
 * candidate's on the same items.
 */
async function scoreChampion(
  deps: RetrainDeps,
  model: Model,
  champion: ModelVersion,
  data: TrainingData,
  candidateAnswers: number[][],
): Promise<ChampionAtDecision> {
  const classifier = await deps.versions.classifier(champion);
  const k = data.concepts.length;
  const from = champion.concepts.length;
  const column = data.concepts.map((c) => champion.concepts.indexOf(c));
  const mapped = (rows: LabeledRows): Float32Array => {
    const own = classifier.predict(rows.x, rows.n);
    const out = new Float32Array(rows.n * k);
    for (let i = 0; i < rows.n; i++) column.forEach((j, c) => (out[i * k + c] = j === -1 ? 0 : own[i * from + j]!));
    return out;
  };
  const on = (rows: LabeledRows, probs: Float32Array): EvalMetrics | undefined => evaluate(model.task, data.concepts, probs, rows, champion.thresholds);
  const production = mapped(data.productionEval);
  const settings = model.settings.retrain;
  const paired = pairedEvidence(
    truthSets(data.productionEval, k),
    candidateAnswers,
    answerSets(model.task, data.concepts, production, data.productionEval.n, champion.thresholds),
    k,
    { resamples: settings.bootstrapResamples, seed: settings.seed },
  );
  return { version: champion.version, clean: on(data.cleanEval, mapped(data.cleanEval)), production: on(data.productionEval, production), paired };
}

function lineage(model: Model, data: TrainingData & { dataAsOf: string }, backend: string, durationMs: number, jobId: string, perConcept: number[]): TrainedOn {
  const s = model.settings.retrain;
  const productionIn = (rows: LabeledRows) => rows.production.reduce((n, p) => n + p, 0);
  return {
    dataAsOf: data.dataAsOf,
    original: { fit: data.fit.n - productionIn(data.fit), validation: data.validation.n - productionIn(data.validation), eval: data.cleanEval.n },
    production: {
      fit: productionIn(data.fit),
      validation: productionIn(data.validation),
      eval: data.productionEval.n,
      skipped: data.production.skipped,
      itemIds: { train: data.production.train, eval: data.production.eval },
    },
    labelIds: data.production.labelIds,
    concepts: data.concepts,
    addedConcepts: data.addedConcepts,
    backend,
    durationMs,
    jobId,
    settings: {
      hiddenUnits: s.hiddenUnits,
      epochs: s.epochs,
      batchSize: s.batchSize,
      learningRate: s.learningRate,
      patience: s.patience,
      validationShare: s.validationShare,
      productionWeight: s.productionWeight,
      classWeights: s.classWeights,
      seed: s.seed,
    },
    classWeights: Object.fromEntries(data.concepts.map((c, i) => [c, perConcept[i]!])),
  };
}

function pooledAccuracy(clean: EvalMetrics | undefined, production: EvalMetrics | undefined): number | null {
  const sets = [clean, production].filter((m): m is EvalMetrics => m !== undefined);
  const n = sets.reduce((s, m) => s + m.count, 0);
  return n === 0 ? null : sets.reduce((s, m) => s + m.accuracy * m.count, 0) / n;
}

function summary(m: EvalMetrics | undefined): Summary | null {
  return m ? { count: m.count, accuracy: m.accuracy, macroF1: m.macroF1 } : null;
}

async function originalExamples(examples: OriginalExamplesReader, modelId: number): Promise<SourceRecord[]> {
  return (await examples.listOriginalExamples(modelId)).map((r) => ({
    id: r.id,
    split: r.split,
    concepts: JSON.parse(r.concepts_json) as string[],
    embedding: decodeVector(r.embedding),
  }));
}
