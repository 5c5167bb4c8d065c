import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { ModelDataReads } from './models.ports.js';
import type { EventBus } from '../events/event-bus.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { isoNow, type Clock } from '../util/clock.js';
import type { Metric } from '../vectors/vector-index.js';
import type { Concept, Model, Task } from './model.js';
import {
  findModelById,
  findModelByName,
  findModelName,
  insertModel,
  lockModelData,
  listModelRows,
  updateModel,
  type ModelRow,
} from './models.repository.js';
import { applySettingsPatch, defaultSettings, mergeSettings } from './settings.js';
import { redactSecrets, restoreMaskedSecrets } from './webhook-secrets.js';
import { WebhookTargetPolicy } from '../webhooks/target-policy.js';

/** A model definition as a client sends it. */
export interface ModelDefinition {
  task: Task;
  embeddingDim: number;
  encoder?: string | undefined;
  metric?: Metric | undefined;
  concepts: Concept[];
  settings?: unknown;
}

/** A new model's eval-split key (`Model.splitKey`): derived from the deployment's secret when set, so runs repeat; otherwise random. */
export function newSplitKey(secret: string | undefined, name: string): string {
  return secret ? createHmac('sha256', secret).update(`split-key:${name}`).digest('hex') : randomBytes(32).toString('hex');
}

function modelRowToModel(row: ModelRow): Model {
  return {
    id: row.id,
    name: row.name,
    task: row.task,
    embeddingDim: row.embedding_dim,
    encoder: row.encoder,
    metric: row.metric,
    concepts: JSON.parse(row.concepts_json) as Concept[],
    settings: mergeSettings(defaultSettings(), JSON.parse(row.settings_json)),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    splitKey: row.split_key,
  };
}

/** Registers and reads monitored models. */
export class ModelsService {
  /** Models by name with the revision they were read at; `refresh` replaces those another instance changed. */
  private readonly cache = new Map<string, { model: Model; revision: number }>();
  /** Names by id: a model's name never changes, so these never go stale. */
  private readonly names = new Map<number, string>();

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly data: ModelDataReads,
    /** Refuses webhook URLs that point inside (loopback, private, link-local) unless allowed. */
    private readonly webhookTargets: WebhookTargetPolicy = new WebhookTargetPolicy([]),
    /** DRIFTLOOP_SPLIT_SECRET: new models' split keys derive from it; undefined: random keys. */
    private readonly splitSecret?: string | undefined,
  ) {}

  /** The model, or undefined when it does not exist. */
  async find(name: string): Promise<Model | undefined> {
    const cached = this.cache.get(name);
    if (cached) return cached.model;
    const row = await findModelByName(this.db, name);
    if (!row) return undefined;
    return this.remember(row);
  }

  /**
   * Every model as stored now. A model changed since this instance cached it (through another
   * instance on the same database) replaces the cached one and is announced as `ModelChanged`,
   * so its settings apply here too. The index follower calls this at each poll: changes made
   * elsewhere take effect within one `DRIFTLOOP_INDEX_POLL_MS`, for the one read it already did.
   */
  async refresh(): Promise<Model[]> {
    const models: Model[] = [];
    for (const row of await listModelRows(this.db)) {
      const cached = this.cache.get(row.name);
      if (!cached || cached.revision >= row.revision) {
        models.push(cached?.model ?? modelRowToModel(row));
        continue;
      }
      const model = this.remember(row);
      await this.events.publish({ type: 'ModelChanged', model, previous: cached?.model });
      models.push(model);
    }
    return models;
  }

  private remember(row: ModelRow): Model {
    const model = modelRowToModel(row);
    const cached = this.cache.get(row.name);
    // A read that started before this instance's own later write must not replace it.
    if (!cached || cached.revision <= row.revision) this.cache.set(row.name, { model, revision: row.revision });
    return this.cache.get(row.name)!.model;
  }

  /**
   * The model as stored now, read on `db` (the caller's transaction): a request that read the
   * model earlier checks its records again under its lock when a PUT changed it since.
   */
  async current(db: Db, id: number): Promise<Model | undefined> {
    const row = await findModelById(db, id);
    return row && modelRowToModel(row);
  }

  /** The name of the model with this id (jobs and other id-keyed records name their model by it). */
  async nameOf(id: number): Promise<string> {
    let name = this.names.get(id);
    if (name === undefined) {
      name = await findModelName(this.db, id);
      if (name === undefined) throw new NotFoundError(`Model #${id} does not exist`);
      this.names.set(id, name);
    }
    return name;
  }

  async get(name: string): Promise<Model> {
    const model = await this.find(name);
    if (!model) throw new NotFoundError(`Model '${name}' does not exist`);
    return model;
  }

  /**
   * Every model as stored now. A row whose revision this instance has cached reuses the cached
   * model: building one parses its settings twice through zod, and metrics scrapes and webhook
   * deliveries list the models while ingest runs.
   */
  async list(): Promise<Model[]> {
    return (await listModelRows(this.db)).map((row) => {
      const cached = this.cache.get(row.name);
      return cached?.revision === row.revision && cached.model.id === row.id ? cached.model : modelRowToModel(row);
    });
  }

  async counts(model: Model): Promise<{ train: number; eval: number; predictions: number }> {
    const [examples, predictions] = await Promise.all([this.data.examples.countExamplesBySplit(model.id), this.data.predictions.countPredictions(model.id)]);
    return { ...examples, predictions };
  }

  /** Creates the model, or updates it; the embedding space cannot change once data exists. */
  async put(name: string, def: ModelDefinition): Promise<{ model: Model; created: boolean }> {
    assertUniqueConcepts(def.concepts);
    // Read, not cached: a patch applies to the settings as stored, whichever instance changed them last.
    const stored = await findModelByName(this.db, name);
    const existing = stored && this.remember(stored);
    const now = isoNow(this.clock);
    const settings = applySettingsPatch(existing?.settings ?? defaultSettings(), restoreMaskedSecrets(existing?.settings, def.settings ?? {}));
    this.assertWebhookTargets(settings);
    const fields = {
      task: def.task,
      embedding_dim: def.embeddingDim,
      encoder: def.encoder ?? null,
      metric: def.metric ?? 'cosine',
      concepts_json: JSON.stringify(keepOrigins(existing?.concepts ?? [], def.concepts)),
      settings_json: JSON.stringify(settings),
      updated_at: now,
    };
    let row: ModelRow;
    if (!existing) {
      const inserted = await insertModel(this.db, { name, created_at: now, split_key: newSplitKey(this.splitSecret, name), ...fields });
      // Another PUT of the same new name inserted between the read and this insert: this one is an update of it.
      if (!inserted) return this.put(name, def);
      row = inserted;
    } else {
      const updated = await this.db.transaction().execute(async (trx) => {
        // Example uploads check the definition under this lock too: none commits between this check and the update.
        await lockModelData(trx, existing.id);
        await this.assertCompatible(trx, existing, def, fields.encoder, fields.metric);
        // A PUT that wrote since the read would be lost (its settings patch, a concept it added): apply this one to what it wrote.
        return updateModel(trx, existing.id, stored.revision, fields);
      });
      if (!updated) return this.put(name, def);
      row = updated;
    }
    const model = this.remember(row);
    await this.events.publish({ type: 'ModelChanged', model, previous: existing });
    return { model, created: !existing };
  }

  private assertWebhookTargets(settings: Model['settings']): void {
    const problems = settings.webhooks
      .map((w, index) => ({ index, problem: this.webhookTargets.problemWithUrl(webhookUrl(w)) }))
      .filter((p) => p.problem !== undefined)
      .map((p) => ({ path: `settings.webhooks.${p.index}`, message: `${webhookUrl(settings.webhooks[p.index]!)} ${p.problem}` }));
    if (problems.length > 0) throw new ValidationError(`Invalid settings: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
  }

  private async assertCompatible(trx: Db, existing: Model, def: ModelDefinition, encoder: string | null, metric: Metric): Promise<void> {
    // Whether data exists, not how much: counting a million predictions held the event loop for about 0.1 s on every PUT.
    if (!(await this.data.hasData(trx, existing.id))) return;
    const changed: string[] = [];
    if (existing.embeddingDim !== def.embeddingDim) changed.push('embeddingDim');
    if (existing.encoder !== encoder) changed.push('encoder');
    if (existing.metric !== metric) changed.push('metric');
    if (existing.task !== def.task) changed.push('task');
    if (changed.length > 0) {
      throw new ConflictError(`Model '${existing.name}' has data; ${changed.join(', ')} cannot change`, { changed });
    }
    const kept = new Set(def.concepts.map((c) => c.id));
    const removed = existing.concepts.filter((c) => !kept.has(c.id)).map((c) => c.id);
    if (removed.length > 0) {
      throw new ConflictError(`Model '${existing.name}' has data; concepts cannot be removed`, { removed });
    }
  }
}

function webhookUrl(w: Model['settings']['webhooks'][number]): string {
  return typeof w === 'string' ? w : w.url;
}

/**
 * A concept that joined through labelers' proposals stays marked so when a PUT lists it again
 * without the mark (as the 409 for leaving it out asks): apps do not score it, and losing the
 * mark would refuse every prediction that lacks a score for it.
 */
function keepOrigins(existing: Concept[], concepts: Concept[]): Concept[] {
  const openSet = new Set(existing.filter((c) => c.origin === 'open-set').map((c) => c.id));
  return concepts.map((c) => (openSet.has(c.id) && c.origin === undefined ? { ...c, origin: 'open-set' as const } : c));
}

function assertUniqueConcepts(concepts: Concept[]): void {
  const seen = new Set<string>();
  for (const c of concepts) {
    if (seen.has(c.id)) throw new ValidationError(`Concept '${c.id}' is listed twice`, { concept: c.id });
    seen.add(c.id);
  }
}
