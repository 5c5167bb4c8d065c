import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { EventBus } from '../events/event-bus.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { ARTIFACT_FILES, type Classifier } from '../ml/classifier.js';
import type { Model } from '../models/model.js';
import type { ModelsService } from '../models/models.service.js';
import { isoNow, type Clock } from '../util/clock.js';
import { decodeVector, encodeVector } from '../util/vectors.js';
import type { ClassifierCache } from './classifier-cache.js';
import { findArtifact, insertArtifact } from './artifacts.repository.js';
import type { EvalMetrics } from './evaluate.js';
import type { ModelVersion, Promotion, VersionDecision } from './version.js';
import { versionRowToVersion } from './version-row.js';
import {
  findChampionMark,
  findChampionRow,
  findEvalConfidences,
  findLatestVersionRow,
  findVersionRow,
  insertVersion,
  listVersionRows,
  lockChampion,
  makeChampion,
  nextVersionNumber,
} from './versions.repository.js';

/** A trained version about to be recorded. */
export type NewVersion = Omit<ModelVersion, 'id' | 'modelId' | 'version' | 'status' | 'artifactDir' | 'createdAt' | 'promotedAt' | 'retiredAt'> & {
  classifier: Classifier;
  evalConfidences: number[];
};

/** The champion's behaviour on its eval data, for the drift tests. */
export interface ChampionEvalStats {
  version: number;
  /** Top-1 score on each eval item (clean and production eval). */
  confidences: number[];
  /** Accuracy on the same items (multilabel: exact-set accuracy). */
  accuracy: number | null;
}

/** The champion in a model's description. */
export interface ChampionSummary {
  version: number;
  promotedAt: string | null;
  backend: string;
  metrics: Record<'clean' | 'production', { count: number; accuracy: number; macroF1: number } | null>;
}


/** Versions of each model: their records, artifacts and the champion. */
export class VersionsService {
  /** Whether a version (by row id) learned from labeled production items; a recorded lineage never changes. */
  private readonly learnedProduction = new Map<number, boolean>();

  constructor(
    private readonly db: Db,
    /** Folder holding every artifact (`<dataDir>/versions`). */
    readonly dir: string,
    private readonly classifiers: ClassifierCache,
    private readonly models: ModelsService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async list(model: Model): Promise<ModelVersion[]> {
    return (await listVersionRows(this.db, model.id)).map(versionRowToVersion);
  }

  async find(model: Model, version: number): Promise<ModelVersion | undefined> {
    const row = await findVersionRow(this.db, model.id, version);
    return row ? versionRowToVersion(row) : undefined;
  }

  async get(model: Model, version: number): Promise<ModelVersion> {
    const found = await this.find(model, version);
    if (!found) throw new NotFoundError(`Model '${model.name}' has no version ${version}`);
    return found;
  }

  async champion(model: Model): Promise<ModelVersion | undefined> {
    const row = await findChampionRow(this.db, model.id);
    return row ? versionRowToVersion(row) : undefined;
  }

  /** The most recent version, champion or not; undefined before any training. */
  async latest(model: Model): Promise<ModelVersion | undefined> {
    const row = await findLatestVersionRow(this.db, model.id);
    return row ? versionRowToVersion(row) : undefined;
  }

  /** Path of one artifact file of a version. */
  artifactPath(version: ModelVersion, file: keyof typeof ARTIFACT_FILES): string {
    return path.join(this.dir, version.artifactDir, ARTIFACT_FILES[file]);
  }

  async classifier(version: ModelVersion): Promise<Classifier> {
    await this.ensureLocal(version);
    return this.classifiers.get(version);
  }

  /** One artifact file's bytes, from this instance's copy (written from the database first if missing). */
  async artifact(version: ModelVersion, file: keyof typeof ARTIFACT_FILES) {
    await this.ensureLocal(version);
    return fs.promises.readFile(this.artifactPath(version, file));
  }

  /**
   * The database holds every artifact; an instance's files are its copy, written when first
   * needed: a version trained on another instance (or before this one joined) loads here too.
   * Versions recorded before artifacts were stored in the database have their files only.
   */
  private async ensureLocal(version: ModelVersion): Promise<void> {
    if (fs.existsSync(this.artifactPath(version, 'model'))) return;
    const stored = await findArtifact(this.db, version.id);
    if (!stored) return;
    const abs = path.join(this.dir, version.artifactDir);
    // Written beside and renamed: a reader never sees half a copy.
    const tmp = `${abs}.${process.pid}.${Date.now()}.tmp`;
    await fs.promises.mkdir(tmp, { recursive: true });
    await fs.promises.writeFile(path.join(tmp, ARTIFACT_FILES.weights), stored.weights);
    await fs.promises.writeFile(path.join(tmp, ARTIFACT_FILES.model), stored.modelJson);
    try {
      await fs.promises.rename(tmp, abs);
    } catch (err) {
      // Another request of this instance copied it first.
      await fs.promises.rm(tmp, { recursive: true, force: true });
      if (!fs.existsSync(this.artifactPath(version, 'model'))) throw err;
    }
  }

  /** Releases loaded classifiers. */
  close(): Promise<void> {
    return this.classifiers.clear();
  }

  /** Saves the artifact and records the version as a challenger. One job per model runs at a time, so the number is stable. */
  async record(model: Model, v: NewVersion): Promise<ModelVersion> {
    const number = await nextVersionNumber(this.db, model.id);
    const artifactDir = path.join(`model-${model.id}`, `v${number}`);
    const abs = path.join(this.dir, artifactDir);
    // A folder without a row is left from a run that died before recording it.
    fs.rmSync(abs, { recursive: true, force: true });
    await v.classifier.save(abs, {
      driftloop: { model: model.name, version: number, task: v.task, concepts: v.concepts, thresholds: v.thresholds, backend: v.backend },
    });
    const artifact = {
      modelJson: await fs.promises.readFile(path.join(abs, ARTIFACT_FILES.model), 'utf8'),
      weights: await fs.promises.readFile(path.join(abs, ARTIFACT_FILES.weights)),
    };
    const row = await this.db.transaction().execute(async (trx) => {
      const inserted = await insertVersion(trx, {
      model_id: model.id,
      version: number,
      status: 'challenger',
      job_id: v.jobId,
      task: v.task,
      concepts_json: JSON.stringify(v.concepts),
      backend: v.backend,
      artifact_dir: artifactDir,
      metrics_json: JSON.stringify(v.metrics),
      thresholds_json: JSON.stringify(v.thresholds),
      lineage_json: JSON.stringify(v.trainedOn),
      decision_json: JSON.stringify(v.decision),
      eval_confidences: encodeVector(v.evalConfidences),
      eval_accuracy: v.evalAccuracy,
      data_as_of: v.dataAsOf,
      duration_ms: v.durationMs,
      created_at: isoNow(this.clock),
      });
      await insertArtifact(trx, inserted.id, artifact);
      return inserted;
    });
    return versionRowToVersion(row);
  }

  /**
   * Makes a version champion (the rule's promotion, or a manual one, which is also how to
   * roll back). Its concepts join the taxonomy and `VersionPromoted` lets the production
   * items it learned from join the reference distribution. Its tuned thresholds stay in the
   * version (artifact and `/predict`); `settings.scoring` is never touched. Promoting the
   * champion again changes nothing.
   */
  async promote(model: Model, version: number, by: Promotion['by']): Promise<ModelVersion> {
    const target = await this.get(model, version);
    if (target.status === 'champion') return target;
    if (target.task !== model.task) throw new ConflictError(`Version ${version} was trained for a ${target.task} task`);
    const at = isoNow(this.clock);
    const replaced = await this.db.transaction().execute(async (trx) => {
      await lockChampion(trx, model.id);
      // Read under the lock: the champion another promotion made meanwhile is the one this one replaces.
      const previous = await findChampionMark(trx, model.id);
      if (previous?.id === target.id) return undefined;
      const decision: VersionDecision = { ...target.decision, promotions: [...target.decision.promotions, { at, by, replaced: previous?.version ?? null }] };
      await makeChampion(trx, model.id, target.id, at, JSON.stringify(decision));
      return { version: previous?.version };
    });
    if (!replaced) return this.get(model, version);
    this.log.info({ model: model.name, version, by, replaced: replaced.version }, 'champion changed');
    const updated = await this.applyToModel(model, target);
    await this.events.publish({ type: 'VersionPromoted', model: updated, version: target });
    return this.get(model, version);
  }

  /** The champion as a model's description shows it, or null. */
  async championSummary(model: Model): Promise<ChampionSummary | null> {
    const c = await this.champion(model);
    if (!c) return null;
    const brief = (m: EvalMetrics | null) => (m ? { count: m.count, accuracy: m.accuracy, macroF1: m.macroF1 } : null);
    return { version: c.version, promotedAt: c.promotedAt, backend: c.backend, metrics: { clean: brief(c.metrics.clean), production: brief(c.metrics.production) } };
  }

  /**
   * When the champion was promoted and whether it learned from labeled production items (then
   * its promotion changed the reference). Drift asks on every evaluation: one indexed row, and
   * the lineage is parsed once per version.
   */
  async championPromotion(model: Model): Promise<{ version: number; promotedAt: string; learnedProduction: boolean } | undefined> {
    const mark = await findChampionMark(this.db, model.id);
    if (!mark?.promoted_at) return undefined;
    let learned = this.learnedProduction.get(mark.id);
    if (learned === undefined) {
      const items = (await this.get(model, mark.version)).trainedOn.production.itemIds;
      learned = items.train.length + items.eval.length > 0;
      this.learnedProduction.set(mark.id, learned);
    }
    return { version: mark.version, promotedAt: mark.promoted_at, learnedProduction: learned };
  }

  /** The champion's top-1 scores and accuracy on its eval data, or undefined without a champion. */
  async championEvalStats(model: Model): Promise<ChampionEvalStats | undefined> {
    const champion = await this.champion(model);
    if (!champion) return undefined;
    const blob = await findEvalConfidences(this.db, champion.id);
    return { version: champion.version, confidences: blob ? Array.from(decodeVector(blob)) : [], accuracy: champion.evalAccuracy };
  }

  /** New concepts join the taxonomy. Scoring settings stay the owner's: they read the app's forwarded scores, not this version's. */
  private async applyToModel(model: Model, v: ModelVersion): Promise<Model> {
    const known = new Set(model.concepts.map((c) => c.id));
    const joining = v.concepts.filter((c) => !known.has(c));
    if (joining.length === 0) return model;
    const { model: updated } = await this.models.put(model.name, {
      task: model.task,
      embeddingDim: model.embeddingDim,
      encoder: model.encoder ?? undefined,
      metric: model.metric,
      concepts: [...model.concepts, ...joining.map((id) => ({ id, description: `Proposed by labelers; joined with version ${v.version}`, origin: 'open-set' as const }))],
    });
    return updated;
  }
}
