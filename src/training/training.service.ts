import { BatchValidationError, ConflictError, type RecordProblem } from '../errors.js';
import type { Job } from '../jobs/job.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { Model } from '../models/model.js';
import { embeddingProblems } from '../models/record-checks.js';
import type { Clock } from '../util/clock.js';
import { KeyedLock } from '../util/keyed-lock.js';
import type { LabeledProductionSource } from './labeled-production.js';
import { DEFAULT_THRESHOLD } from './metrics/thresholds.js';
import type { OriginalExamplesReader } from './training.ports.js';
import type { ChampionEvalStats, VersionsService } from './versions.service.js';
import { own } from '../util/own.js';
import { multiclassUncertainty, multilabelUncertainty } from '../scoring/uncertainty.js';

/** The job type of a retraining run. */
export const RETRAIN_JOB = 'retrain';

/** Whether the automatic trigger queued a retraining job, and why not when it did not. */
export type AutoRetrainDecision =
  | { queued: true; jobId: string; newLabels: number }
  | { queued: false; reason: 'auto_off' | 'already_queued' | 'cooldown' | 'not_enough_labels'; message: string; jobId?: string };

/** Champion scores for a batch of embeddings, read with the champion's own thresholds. */
export interface Prediction {
  version: number;
  scores: Record<string, number>[];
  /** Per embedding: the top concept (multiclass), or every concept at or above the version's tuned threshold (multilabel). */
  predicted: string[][];
  /** Multilabel: the version's tuned threshold per concept, from its artifact (never the scoring settings for the app's scores). */
  thresholds?: Record<string, number>;
}

/** Retraining: triggers, the labeled production data it reads, and predictions from the champion. */
export class TrainingService {
  // Trigger decisions read then write; one at a time per model, so two drift events cannot queue two jobs.
  private readonly triggers = new KeyedLock<number>();

  constructor(
    private readonly examples: OriginalExamplesReader,
    private readonly jobs: JobRunner,
    readonly versions: VersionsService,
    private readonly source: LabeledProductionSource,
    private readonly clock: Clock,
  ) {}

  /** Queues a retraining job, or returns the one already waiting; refuses a model without train data. */
  requestRetrain(model: Model, trigger: 'manual' | 'drift', extra: Record<string, unknown> = {}): Promise<Job> {
    return this.serialized(model, () => this.queueRetrain(model, trigger, extra));
  }

  private async queueRetrain(model: Model, trigger: 'manual' | 'drift', extra: Record<string, unknown>): Promise<Job> {
    const waiting = await this.jobs.latest(model.id, RETRAIN_JOB, ['queued']);
    if (waiting) return waiting;
    if ((await this.examples.countOriginalTrain(model.id)) === 0) {
      throw new ConflictError(`Model '${model.name}' has no train-split examples to train on`);
    }
    return this.jobs.submit(model.id, RETRAIN_JOB, { trigger, ...extra });
  }

  /**
   * The automatic trigger, for the drift monitor to call when a drift event is recorded
   * (and again as labels arrive while the model stays drifted): queues a retraining job
   * when `retrain.auto` is on, at least `retrain.minNewLabels` labels exist since the
   * champion's data was read (without a champion: since the last version's, or in total
   * before any), and `retrain.cooldownMinutes` have passed since the last run.
   */
  maybeAutoRetrain(model: Model, now = this.clock.now()): Promise<AutoRetrainDecision> {
    return this.serialized(model, () => this.autoRetrain(model, now));
  }

  private async autoRetrain(model: Model, now: Date): Promise<AutoRetrainDecision> {
    const s = model.settings.retrain;
    if (!s.auto) return { queued: false, reason: 'auto_off', message: 'retrain.auto is off' };
    const active = await this.jobs.latest(model.id, RETRAIN_JOB, ['queued', 'running']);
    if (active) return { queued: false, reason: 'already_queued', message: `retraining job ${active.id} is ${active.status}`, jobId: active.id };
    const last = await this.jobs.latest(model.id, RETRAIN_JOB);
    const readyAt = last ? Date.parse(last.createdAt) + s.cooldownMinutes * 60_000 : 0;
    if (now.getTime() < readyAt) {
      return { queued: false, reason: 'cooldown', message: `the last run started at ${last!.createdAt}; the cooldown ends at ${new Date(readyAt).toISOString()}` };
    }
    const champion = await this.versions.champion(model);
    // No champion yet: count from the last version trained, so one the first-champion rule refused is not retrained on the same labels after every cooldown.
    const latest = champion ? undefined : (await this.versions.latest(model))?.dataAsOf;
    const since = champion?.dataAsOf ?? latest ?? new Date(0).toISOString();
    const newLabels = await this.source.countSince(model.id, since);
    if (newLabels < s.minNewLabels) {
      const from = champion ? "the champion's data" : latest ? "the last version's data; no champion yet" : 'no version trained yet';
      return { queued: false, reason: 'not_enough_labels', message: `${newLabels} labels since ${since} (${from}); ${s.minNewLabels} needed` };
    }
    const job = await this.queueRetrain(model, 'drift', { newLabels });
    return { queued: true, jobId: job.id, newLabels };
  }

  // Across instances too: two instances reacting to labels at once must not queue two jobs.
  private serialized<T>(model: Model, fn: () => Promise<T>): Promise<T> {
    return this.triggers.run(model.id, () => this.jobs.decideAlone(model.id, fn));
  }

  /** The champion's top-1 scores and accuracy on its eval data (drift: confidence_shift, labeled_accuracy). */
  championEvalStats(model: Model): Promise<ChampionEvalStats | undefined> {
    return this.versions.championEvalStats(model);
  }

  /** Releases loaded classifiers. */
  close(): Promise<void> {
    return this.versions.close();
  }

  /** The champion's version, or null without one. */
  async championVersion(model: Model): Promise<string | null> {
    const champion = await this.versions.champion(model);
    return champion ? String(champion.version) : null;
  }

  /**
   * The champion's own uncertainty for each embedding (margin, or threshold closeness for
   * multilabel): where its decision boundary runs, for the queue's selection. Undefined without a champion.
   */
  async championUncertainty(model: Model, embeddings: Float32Array[]): Promise<Float64Array | undefined> {
    const champion = await this.versions.champion(model);
    if (!champion || embeddings.length === 0) return undefined;
    const classifier = await this.versions.classifier(champion);
    const x = new Float32Array(embeddings.length * model.embeddingDim);
    embeddings.forEach((e, i) => x.set(e, i * model.embeddingDim));
    const probs = classifier.predict(x, embeddings.length);
    const k = champion.concepts.length;
    const t = champion.thresholds;
    const thresholds = t.kind === 'multilabel' ? champion.concepts.map((c) => own(t.perConcept, c) ?? DEFAULT_THRESHOLD) : [];
    return Float64Array.from(embeddings, (_, i) => {
      const row = Array.from(probs.subarray(i * k, (i + 1) * k));
      return t.kind === 'multilabel' ? multilabelUncertainty(row, thresholds).uncertainty : multiclassUncertainty(row).uncertainty;
    });
  }

  /** Scores embeddings with the champion. */
  async predict(model: Model, embeddings: number[][]): Promise<Prediction> {
    const problems: RecordProblem[] = embeddings.flatMap((e, index) => embeddingProblems(model, e, index));
    if (problems.length > 0) throw new BatchValidationError(problems, 'embeddings', 'nothing was scored');
    const champion = await this.versions.champion(model);
    if (!champion) throw new ConflictError(`Model '${model.name}' has no champion yet; train one with POST /v1/models/${model.name}/retrain`);
    const classifier = await this.versions.classifier(champion);
    const x = new Float32Array(embeddings.length * model.embeddingDim);
    embeddings.forEach((e, i) => x.set(e, i * model.embeddingDim));
    const probs = classifier.predict(x, embeddings.length);
    const k = champion.concepts.length;
    const scores = embeddings.map((_, i) => Object.fromEntries(champion.concepts.map((c, j) => [c, probs[i * k + j]!])));
    const t = champion.thresholds;
    if (t.kind === 'multilabel') {
      const predicted = scores.map((s) => champion.concepts.filter((c) => s[c]! >= (own(t.perConcept, c) ?? DEFAULT_THRESHOLD)));
      return { version: champion.version, scores, predicted, thresholds: { ...t.perConcept } };
    }
    const predicted = scores.map((s) => [champion.concepts.reduce((best, c) => (s[c]! > s[best]! ? c : best), champion.concepts[0]!)]);
    return { version: champion.version, scores, predicted };
  }
}
