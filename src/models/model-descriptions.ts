import { redactSecrets, webhookOrigin } from './webhook-secrets.js';
import type { Model } from './model.js';
import type { ModelsService } from './models.service.js';

/** Headline figures of a version on one held-out set. */
export interface BriefMetrics {
  count: number;
  accuracy: number;
  macroF1: number;
}

/** What other features add to a model's description; each describer fills some of it. */
export interface ModelExtras {
  calibration: { source: 'eval' | 'leave-one-out'; size: number };
  drift: { status: 'ok' | 'drift' | null; score: number | null; evaluatedAt: string | null; lastEventAt: string | null };
  champion: { version: number; promotedAt: string | null; backend: string; metrics: { clean: BriefMetrics | null; production: BriefMetrics | null } } | null;
  queue: { pending: number; leased: number; labeled: number; outOfScope: number };
}

/** Adds fields to a model's description (queue depth, champion, drift, …) from another feature. */
export type ModelDescriber = (model: Model) => Promise<Partial<ModelExtras>>;

/** A model as the API shows it. */
export interface ModelDescription extends Omit<Model, 'id' | 'splitKey'>, Partial<ModelExtras> {
  counts: { examples: { train: number; eval: number }; predictions: number };
}

/** Models as the API describes them: the definition, counts, and what the other features add. */
export class ModelDescriptions {
  constructor(
    private readonly models: ModelsService,
    private readonly describers: readonly ModelDescriber[],
  ) {}

  /**
   * The model as the API shows it. Webhook secrets never leave the server; for a reader that is not
   * an admin (`webhookTargets: false`) each webhook URL is cut to its origin, since many receivers
   * (chat incoming webhooks) carry their secret in the path or the query.
   */
  async describe(model: Model, opts: { webhookTargets?: boolean } = {}): Promise<ModelDescription> {
    const c = await this.models.counts(model);
    const { id: _id, splitKey: _secret, settings, ...rest } = model;
    const extras = await Promise.all(this.describers.map((d) => d(model)));
    const shown = redactSecrets(settings);
    const visible = opts.webhookTargets === false ? { ...shown, webhooks: shown.webhooks.map(originOnly) } : shown;
    return Object.assign({ ...rest, settings: visible, counts: { examples: { train: c.train, eval: c.eval }, predictions: c.predictions } }, ...extras);
  }
}

function originOnly(w: Model['settings']['webhooks'][number]): Model['settings']['webhooks'][number] {
  return typeof w === 'string' ? webhookOrigin(w) : { ...w, url: webhookOrigin(w.url) };
}
