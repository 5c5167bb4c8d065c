import { SELECTION_POLICIES } from '../queue/selection/selection-policy.js';
import { z } from 'zod';
import { ValidationError } from '../errors.js';

const weights = z
  .object({
    ood: z.number().min(0).default(0.5).describe('Weight of the OOD score'),
    uncertainty: z.number().min(0).default(0.3).describe('Weight of the uncertainty'),
    disagreement: z.number().min(0).default(0.2).describe('Weight of the k-NN disagreement strength'),
  })
  .prefault({});

const webhook = z.union([
  z.url({ protocol: /^https?$/ }),
  z.object({
    url: z.url({ protocol: /^https?$/ }).describe('Where drift events are POSTed (http or https)'),
    secret: z.string().min(1).optional().describe('HMAC-SHA256 signing key; reads back as ********, and sending ******** back keeps it'),
  }),
]);

/** Every setting of a model, with its default; the groups follow DESIGN's dotted names. */
export const settingsSchema = z
  .object({
    ood: z
      .object({
        k: z.number().int().min(1).max(100).default(10).describe('Nearest train neighbours whose mean distance is the OOD distance'),
        quantile: z.number().gt(0).lt(1).default(0.95).describe('isOod when the calibrated percentile is at least this (about 1 − quantile of in-distribution traffic is flagged)'),
        minCalibration: z.number().int().min(1).default(50).describe('Eval examples needed before calibrating on them instead of leave-one-out train distances.'),
      })
      .prefault({})
      .describe('Out-of-distribution scoring'),
    scoring: z
      .object({
        thresholds: z.record(z.string(), z.number().gt(0).lt(1)).default({}).describe('Multilabel decision threshold per concept; concepts not listed use `defaultThreshold`.'),
        defaultThreshold: z.number().gt(0).lt(1).default(0.5).describe("Multilabel threshold on the app's forwarded scores for concepts not in `thresholds`"),
      })
      .prefault({})
      .describe("How the app's forwarded scores are read"),
    drift: z
      .object({
        windowSize: z.number().int().min(20).max(100_000).default(500).describe('Most recent predictions each drift evaluation looks at'),
        threshold: z.number().min(0).max(1).default(0.15).describe('Drift passes when the window OOD rate is at least this (and the ood_rate p-value is below alpha)'),
        alpha: z.number().gt(0).lt(1).default(0.01).describe('Significance level of the drift tests'),
        cooldownMinutes: z.number().min(0).default(60).describe('Least time between two OOD drift events'),
        evaluateEvery: z.number().int().min(1).default(100).describe('After ingestion, a full evaluation runs once this many new predictions arrived…'),
        evaluateAfterSeconds: z.number().min(0.1).default(10).describe('…or this many seconds after the first prediction not yet evaluated.'),
        minIntervalSeconds: z.number().min(0).max(3600).default(5).describe('Least time between two evaluations started by ingestion.'),
        minPredictionShift: z.number().min(0).max(1).default(0.1).describe('Least total-variation distance for prediction_shift to count as drift (effect-size gates: a tiny but significant shift on a large window is no alarm)'),
        minConfidenceShift: z.number().min(0).max(1).default(0.1).describe('Least KS distance for confidence_shift to count as drift'),
        minAccuracyDrop: z.number().min(0).max(1).default(0.05).describe('Least accuracy drop for labeled_accuracy to count as drift'),
        arl0: z.number().int().min(100).max(1e9).default(100_000).describe('Sequential detector: average number of in-distribution predictions between false alarms.'),
        sequentialTarget: z.number().gt(0).lt(1).default(0.4).describe('Sequential detector: the OOD rate it is tuned to catch fastest (above 1 − ood.quantile).'),
        maxAccuracyDrop: z.number().min(0).max(1).default(0.05).describe('A `performance` event fires when the whole accuracy interval lies this far below the reference.'),
        performanceCooldownMinutes: z.number().min(0).default(60).describe('Least time between two `performance` events (the OOD-rate events keep `cooldownMinutes`).'),
        minLabeled: z.number().int().min(1).default(30).describe('Labeled production items needed before labeled_accuracy reports.'),
        mmd: z
          .object({
            permutations: z.number().int().min(200).max(10_000).default(200).describe('Permutations of the MMD test'),
            referenceSize: z.number().int().min(20).max(5000).default(500).describe('Train embeddings in the fixed, deterministic reference sample.'),
            windowSample: z.number().int().min(20).max(5000).default(500).describe('Window embeddings used (a deterministic subsample when the window is larger).'),
            seed: z.number().int().min(0).default(1).describe('Seed of the permutations and samples'),
          })
          .prefault({})
      .describe('The embedding_mmd test'),
      })
      .prefault({})
      .describe('Drift evaluation over windows of production'),
    webhookDelivery: z
      .object({
        maxAttempts: z.number().int().min(1).max(20).default(6).describe('Delivery attempts before a delivery is marked failed'),
        initialBackoffMs: z.number().int().min(10).default(2000).describe('Wait before the first retry, in milliseconds'),
        maxBackoffMs: z.number().int().min(10).default(600_000).describe('Longest wait between retries, in milliseconds'),
        timeoutMs: z.number().int().min(100).max(60_000).default(10_000).describe('Timeout of one delivery attempt, in milliseconds'),
      })
      .prefault({})
      .describe('Retries of webhook deliveries: exponential backoff from `initialBackoffMs`, capped at `maxBackoffMs`.'),
    queue: z
      .object({
        labelsPerItem: z.number().int().min(1).max(10).default(1).describe('Distinct labelers who label each item (blind); above 1, agreement is measured'),
        leaseSeconds: z.number().int().min(1).max(86_400).default(300).describe('How long a claim holds an item before it returns to the queue'),
        maxLeases: z.number().int().min(1).max(10_000).default(50).describe('Most live leases one labeler holds on this model at once.'),
        uncertaintyThreshold: z.number().min(0).max(1).default(0.6).describe('Enqueue when uncertainty is at least this.'),
        duplicateRadius: z.number().min(0).max(1).default(0.25).describe("Predictions this close to a queued or labeled item add weight to it instead: a fraction of the model's typical in-distribution neighbour distance (see reference/duplicate-radius.ts), so it means the same whatever the encoder's scale."),
        recurrenceBoost: z.number().min(0).default(0.1).describe("Priority added per doubling of an item's weight (recurrences of the same input)."),
        driftBoost: z.number().min(0).default(1).describe('Priority added to recent OOD items while drift waits for labels.'),
        weights: weights.describe('Priority = weighted mean of OOD score, uncertainty and disagreement strength, with these weights'),
        selection: z.enum(SELECTION_POLICIES).default('priority').describe('How claims order fresh items (src/queue/selection/selection-policy.ts). Policies other than `priority` rank the pool once per model state and claims walk the cached list; on the demo data none measured better than `priority` within noise (docs/regions.md).'),
        selectionPool: z.number().int().min(1).max(50_000).default(5000).describe('Pending items, by priority, that the selection policy ranks.'),
        typicalUntil: z.number().int().min(0).max(100_000).default(30).describe('`adaptive`: labels in a region by which it has moved from typical items to uncertain ones.'),
        selectionSeed: z.number().int().min(0).max(2 ** 31 - 1).default(1).describe("Seed of the `random` policy's order."),
      })
      .prefault({})
      .describe('The review queue'),
    retrain: z
      .object({
        auto: z.boolean().default(true).describe('Queue a retraining on drift when enough new labels exist'),
        triggers: z.array(z.enum(['ood', 'performance'])).default(['ood', 'performance']).describe('Which kinds of drift event may queue a retraining: the OOD rate, the estimated accuracy drop, or both.'),
        minNewLabels: z.number().int().min(1).default(100).describe('Labels since the champion was trained needed before an automatic retraining'),
        minConceptLabels: z.number().int().min(1).default(20).describe('Least labels a concept proposed by labelers needs to join the taxonomy'),
        minConceptLabelers: z.number().int().min(1).max(1000).default(2).describe('…from at least this many distinct labelers: one label key alone cannot add a concept to the model. 1 lets a team of one labeler grow the taxonomy.'),
        minEvalExamples: z.number().int().min(1).max(1_000_000).default(30).describe('Without a champion, a version is promoted by the rule only when it was evaluated on at least this many held-out examples (clean and production eval together); otherwise it stays a challenger, and an admin may promote it by hand.'),
        minEvalPerConcept: z.number().int().min(0).max(100_000).default(5).describe('…and on at least this many held-out examples of every concept (multilabel: positives), so no per-concept figure rests on one or two items.'),
        maxCleanRegression: z.number().min(0).max(1).default(0.02).describe('Most macro-F1 a candidate may lose on clean eval data and still be promoted'),
        promotionAlpha: z.number().gt(0).max(1).default(0.05).describe('A challenger must beat the champion on production eval with a paired (same items) one-sided p-value below this; a gain within noise is refused.'),
        bootstrapResamples: z.number().int().min(99).max(100_000).default(2000).describe('Resamples of the paired bootstrap interval of the production macro-F1 difference, and random draws of the sign-flip test behind `promotionAlpha` when more than 16 items are answered differently.'),
        cooldownMinutes: z.number().min(0).default(60).describe('Least time between two automatic retrainings'),
        hiddenUnits: z.number().int().min(0).max(4096).default(0).describe('Units of the optional ReLU hidden layer; 0 trains a linear head on the embeddings.'),
        epochs: z.number().int().min(1).max(1000).default(50).describe('Most epochs; early stopping usually ends sooner.'),
        batchSize: z.number().int().min(1).max(65_536).default(256).describe('Most rows per step; small training sets use smaller batches so an epoch makes at least 16 updates.'),
        learningRate: z.number().gt(0).max(1).default(0.005).describe('Adam learning rate'),
        patience: z.number().int().min(1).max(1000).default(5).describe('Epochs without a better validation loss before stopping (and restoring the best weights).'),
        validationShare: z.number().gt(0).lt(1).default(0.1).describe('Share of the train split held out (by id hash) for early stopping and threshold tuning.'),
        productionWeight: z.number().min(0).max(100).default(2).describe('Weight of a labeled production item relative to an original example: they are scarce and look like what the model meets.'),
        classWeights: z.enum(['balanced', 'none']).default('balanced').describe('`balanced` weighs each concept inversely to its frequency within each source (original examples, labeled production items), so rare concepts are not ignored and a concept only production has does not outweigh the rest where the drifted inputs are.'),
        seed: z.number().int().min(0).max(2 ** 31 - 1).default(42).describe('Seed of weight initialisation and shuffling'),
        targetPrecision: z.number().gt(0).max(1).default(0.9).describe('Multiclass: the abstain threshold is the lowest top-1 score whose answers reach this precision.'),
        minThresholdRows: z.number().int().min(1).default(30).describe('Fewer validation rows than this and thresholds are not tuned: 0.5 per concept, or answer everything.'),
        thresholdPriorRows: z.number().min(0).default(10).describe('Multilabel: each tuned threshold is shrunk toward 0.5 as if this many rows sat there, so a few rows cannot move it far.'),
      })
      .prefault({})
      .describe('Retraining, evaluation and promotion'),
    health: z
      .object({
        duplicateRadius: z.number().min(0).max(1).default(0.25).describe('Near-duplicate radius, relative: two examples are near-duplicates when they are closer than this fraction of the typical distance from an example to its ood.k nearest train neighbours (the median calibration distance), 4× closer at 0.25: a re-encoded or resized copy of one input, not another input of the same kind. The fraction is of linear distance: Euclidean under l2, the chord √(2(1 − cos)) under cosine, so in 1 − cos the radius is 0.25² × typical.'),
        imbalanceRatio: z.number().min(1).default(10).describe('Largest over smallest train count per concept before the balance check warns.'),
        minPurity: z.number().min(0).max(1).default(0.8).describe("Lowest k-NN purity (share of an example's ood.k nearest train neighbours with its concept) a concept may have."),
        wideFactor: z.number().gt(1).default(2).describe("A concept is too wide when its spread exceeds this many times the median concept's spread."),
        maxUncoveredShare: z.number().min(0).max(1).default(0.05).describe('Share of the recent production window with no train neighbour inside the OOD radius before coverage warns.'),
        maxIds: z.number().int().min(1).max(10_000).default(50).describe('Most ids (and pairs or groups) listed per check; totals are always given.'),
      })
      .prefault({})
      .describe('The training-data checklist (`GET /v1/models/{model}/health`).'),
    regions: z
      .object({
        windowSize: z.number().int().min(20).max(20_000).default(2000).describe('The most recent predictions clustered into regions.'),
        fitSample: z.number().int().min(20).max(5000).default(600).describe('Window points k-means is fitted on (a deterministic subsample); every window point is then assigned.'),
        maxK: z.number().int().min(2).max(40).default(12).describe('k is chosen in [2, maxK] by the mean silhouette on the fitted sample.'),
        trainingSample: z.number().int().min(20).max(20_000).default(1000).describe("Train examples sampled to measure each region's training share and to draw on the map."),
        mapSample: z.number().int().min(20).max(5000).default(600).describe('Points (production and training together) projected by UMAP for the map.'),
        refreshShare: z.number().gt(0).max(1).default(0.1).describe('Recompute once this share of the window is new predictions (regions are cached until then).'),
        seed: z.number().int().min(0).default(1).describe('Seed of the k-means and UMAP runs'),
      })
      .prefault({})
      .describe("Regions of recent production data (`GET /v1/models/{model}/regions`, the report's map, region claims)."),
    webhooks: z.array(webhook).max(20).default([]).describe('URLs (or {url, secret}) that receive drift events, signed with HMAC-SHA256 when a secret is set; a secret reads back as ********'),
  })
  .strict()
  .superRefine((s, ctx) => {
    // A CUSUM tuned for a rate at or below the in-distribution one would never alarm.
    if (s.drift.sequentialTarget <= 1 - s.ood.quantile) {
      ctx.addIssue({ code: 'custom', path: ['drift', 'sequentialTarget'], message: `must be above the in-distribution OOD rate 1 − ood.quantile (${1 - s.ood.quantile})` });
    }
  });

export type Settings = z.infer<typeof settingsSchema>;
/** Settings with every default filled in. */
export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}

/** Deep-merges `patch` over `base` (arrays replace) and validates the result. */
export function mergeSettings(base: Settings, patch: unknown): Settings {
  const parsed = settingsSchema.safeParse(deepMerge(base, patch));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ field: ['settings', ...i.path].join('.'), message: i.message }));
    throw new ValidationError(`Invalid settings: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
  }
  return parsed.data;
}

/** What a client sent, merged over `base`: a named ValidationError (400) listing every bad setting. */
export function applySettingsPatch(base: Settings, patch: unknown): Settings {
  const unknown = unknownSettings(patch, settingsSchema, ['settings']);
  const parsed = settingsSchema.safeParse(deepMerge(base, patch));
  if (parsed.success && unknown.length === 0) return parsed.data;
  const problems = [...unknown.map((path) => ({ path, message: 'not a setting (misspelt?): nothing was changed' })), ...(parsed.success ? [] : parsed.error.issues.map((i) => ({ path: ['settings', ...i.path].join('.'), message: i.message })))].slice(0, 50);
  throw new ValidationError(`Invalid settings: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}

/**
 * Keys of a client's patch that name no setting, at any depth of the groups: `drift.treshold`
 * would otherwise be dropped while the PUT answers 200, and the owner would believe the threshold
 * set. Only the patch is checked, never what is stored, so a setting retired in a later release
 * does not make stored settings unusable.
 */
function unknownSettings(patch: unknown, schema: unknown, path: string[]): string[] {
  const shape = objectShape(schema);
  if (!shape || !isPlainObject(patch)) return [];
  return Object.keys(patch).flatMap((key) => (Object.hasOwn(shape, key) ? unknownSettings(patch[key], shape[key], [...path, key]) : [[...path, key].join('.')]));
}

/** The members of an object schema under its defaults and prefaults, or undefined for any other schema. */
function objectShape(schema: unknown): Record<string, unknown> | undefined {
  let def = (schema as { _zod?: { def?: { type?: string; innerType?: unknown; shape?: Record<string, unknown> } } })?._zod?.def;
  while (def?.innerType) def = (def.innerType as { _zod: { def: typeof def } })._zod.def;
  return def?.type === 'object' ? def.shape : undefined;
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  // Own keys only, defined rather than assigned: a "__proto__" key stays a key (and the strict schema refuses it).
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    Object.defineProperty(out, key, { value: deepMerge(Object.hasOwn(base, key) ? base[key] : undefined, value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
