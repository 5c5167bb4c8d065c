import { SELECTION_POLICIES } from '../queue/selection/selection-policy.js';
import { z } from 'zod';
import { ValidationError } from '../errors.js';

const weights = z
  .object({
    ood: z.number().min(0).default(0.5),
    uncertainty: z.number().min(0).default(0.3),
    disagreement: z.number().min(0).default(0.2),
  })
  .prefault({});

const webhook = z.union([
  z.url({ protocol: /^https?$/ }),
  z.object({ url: z.url({ protocol: /^https?$/ }), secret: z.string().min(1).optional() }),
]);

/** Every setting of a model, with its default; the groups follow DESIGN's dotted names. */
const settingsSchema = z
  .object({
    ood: z
      .object({
        k: z.number().int().min(1).max(100).default(10),
        quantile: z.number().gt(0).lt(1).default(0.95),
        /** Eval examples needed before calibrating on them instead of leave-one-out train distances. */
        minCalibration: z.number().int().min(1).default(50),
      })
      .prefault({}),
    scoring: z
      .object({
        /** Multilabel decision threshold per concept; concepts not listed use `defaultThreshold`. */
        thresholds: z.record(z.string(), z.number().gt(0).lt(1)).default({}),
        defaultThreshold: z.number().gt(0).lt(1).default(0.5),
      })
      .prefault({}),
    drift: z
      .object({
        windowSize: z.number().int().min(20).max(100_000).default(500),
        threshold: z.number().min(0).max(1).default(0.15),
        alpha: z.number().gt(0).lt(1).default(0.01),
        cooldownMinutes: z.number().min(0).default(60),
        /** After ingestion, a full evaluation runs once this many new predictions arrived… */
        evaluateEvery: z.number().int().min(1).default(100),
        /** …or this many seconds after the first prediction not yet evaluated. */
        evaluateAfterSeconds: z.number().min(0.1).default(10),
        /** Least time between two evaluations started by ingestion. */
        minIntervalSeconds: z.number().min(0).max(3600).default(5),
        /** Effect-size gates, so a tiny but significant shift on a large window is not an alarm. */
        minPredictionShift: z.number().min(0).max(1).default(0.1),
        minConfidenceShift: z.number().min(0).max(1).default(0.1),
        minAccuracyDrop: z.number().min(0).max(1).default(0.05),
        /** Sequential detector: average number of in-distribution predictions between false alarms. */
        arl0: z.number().int().min(100).max(1e9).default(100_000),
        /** Sequential detector: the OOD rate it is tuned to catch fastest (above 1 − ood.quantile). */
        sequentialTarget: z.number().gt(0).lt(1).default(0.4),
        /** A `performance` event fires when the whole accuracy interval lies this far below the reference. */
        maxAccuracyDrop: z.number().min(0).max(1).default(0.05),
        /** Least time between two `performance` events (the OOD-rate events keep `cooldownMinutes`). */
        performanceCooldownMinutes: z.number().min(0).default(60),
        /** Labeled production items needed before labeled_accuracy reports. */
        minLabeled: z.number().int().min(1).default(30),
        mmd: z
          .object({
            permutations: z.number().int().min(200).max(10_000).default(200),
            /** Train embeddings in the fixed, deterministic reference sample. */
            referenceSize: z.number().int().min(20).max(5000).default(500),
            /** Window embeddings used (a deterministic subsample when the window is larger). */
            windowSample: z.number().int().min(20).max(5000).default(500),
            seed: z.number().int().min(0).default(1),
          })
          .prefault({}),
      })
      .prefault({}),
    /** Retries of webhook deliveries: exponential backoff from `initialBackoffMs`, capped at `maxBackoffMs`. */
    webhookDelivery: z
      .object({
        maxAttempts: z.number().int().min(1).max(20).default(6),
        initialBackoffMs: z.number().int().min(10).default(2000),
        maxBackoffMs: z.number().int().min(10).default(600_000),
        timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
      })
      .prefault({}),
    queue: z
      .object({
        labelsPerItem: z.number().int().min(1).max(10).default(1),
        leaseSeconds: z.number().int().min(1).max(86_400).default(300),
        /** Most live leases one labeler holds on this model at once. */
        maxLeases: z.number().int().min(1).max(10_000).default(50),
        /** Enqueue when uncertainty is at least this. */
        uncertaintyThreshold: z.number().min(0).max(1).default(0.6),
        /**
         * Predictions this close to a queued or labeled item add weight to it instead: a fraction
         * of the model's typical in-distribution neighbour distance (see reference/duplicate-radius.ts),
         * so it means the same whatever the encoder's scale.
         */
        duplicateRadius: z.number().min(0).max(1).default(0.25),
        /** Priority added per doubling of an item's weight (recurrences of the same input). */
        recurrenceBoost: z.number().min(0).default(0.1),
        /** Priority added to recent OOD items while drift waits for labels. */
        driftBoost: z.number().min(0).default(1),
        /** Priority = weighted mean of OOD score, uncertainty and disagreement strength. */
        weights,
        /** How claims order fresh items (src/queue/selection/selection-policy.ts); the default is the best measured (docs/regions.md). */
        selection: z.enum(SELECTION_POLICIES).default('adaptive'),
        /** Pending items, by priority, that the selection policy orders at each claim. */
        selectionPool: z.number().int().min(1).max(50_000).default(5000),
        /** `adaptive`: labels in a region by which it has moved from typical items to uncertain ones. */
        typicalUntil: z.number().int().min(0).max(100_000).default(30),
        /** Seed of the `random` policy's order. */
        selectionSeed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
      })
      .prefault({}),
    retrain: z
      .object({
        auto: z.boolean().default(true),
        /** Which kinds of drift event may queue a retraining: the OOD rate, the estimated accuracy drop, or both. */
        triggers: z.array(z.enum(['ood', 'performance'])).default(['ood', 'performance']),
        minNewLabels: z.number().int().min(1).default(100),
        minConceptLabels: z.number().int().min(1).default(20),
        maxCleanRegression: z.number().min(0).max(1).default(0.02),
        /** A challenger must beat the champion on production eval with a paired (same items) one-sided p-value below this; a gain within noise is refused. */
        promotionAlpha: z.number().gt(0).max(1).default(0.05),
        /** Resamples of the paired bootstrap behind `promotionAlpha`. */
        bootstrapResamples: z.number().int().min(99).max(100_000).default(2000),
        cooldownMinutes: z.number().min(0).default(60),
        /** Units of the optional ReLU hidden layer; 0 trains a linear head on the embeddings. */
        hiddenUnits: z.number().int().min(0).max(4096).default(0),
        /** Most epochs; early stopping usually ends sooner. */
        epochs: z.number().int().min(1).max(1000).default(50),
        /** Most rows per step; small training sets use smaller batches so an epoch makes at least 16 updates. */
        batchSize: z.number().int().min(1).max(65_536).default(256),
        learningRate: z.number().gt(0).max(1).default(0.005),
        /** Epochs without a better validation loss before stopping (and restoring the best weights). */
        patience: z.number().int().min(1).max(1000).default(5),
        /** Share of the train split held out (by id hash) for early stopping and threshold tuning. */
        validationShare: z.number().gt(0).lt(1).default(0.1),
        /** Weight of a labeled production item relative to an original example: they are scarce and look like what the model meets. */
        productionWeight: z.number().min(0).max(100).default(2),
        /** `balanced` weighs each concept inversely to its frequency, so rare concepts are not ignored. */
        classWeights: z.enum(['balanced', 'none']).default('balanced'),
        seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
        /** Multiclass: the abstain threshold is the lowest top-1 score whose answers reach this precision. */
        targetPrecision: z.number().gt(0).max(1).default(0.9),
        /** Fewer validation rows than this and thresholds are not tuned: 0.5 per concept, or answer everything. */
        minThresholdRows: z.number().int().min(1).default(30),
        /** Multilabel: each tuned threshold is shrunk toward 0.5 as if this many rows sat there, so a few rows cannot move it far. */
        thresholdPriorRows: z.number().min(0).default(10),
      })
      .prefault({}),
    /** The training-data checklist (`GET /v1/models/{model}/health`). */
    health: z
      .object({
        /**
         * Near-duplicate radius, relative: two examples are near-duplicates when they are closer than
         * this fraction of the typical distance from an example to its ood.k nearest train neighbours
         * (the median calibration distance), 4× closer at 0.25: a re-encoded or resized copy of one
         * input, not another input of the same kind. The fraction is of linear distance: Euclidean
         * under l2, the chord √(2(1 − cos)) under cosine, so in 1 − cos the radius is 0.25² × typical.
         */
        duplicateRadius: z.number().min(0).max(1).default(0.25),
        /** Largest over smallest train count per concept before the balance check warns. */
        imbalanceRatio: z.number().min(1).default(10),
        /** Lowest k-NN purity (share of an example's ood.k nearest train neighbours with its concept) a concept may have. */
        minPurity: z.number().min(0).max(1).default(0.8),
        /** A concept is too wide when its spread exceeds this many times the median concept's spread. */
        wideFactor: z.number().gt(1).default(2),
        /** Share of the recent production window with no train neighbour inside the OOD radius before coverage warns. */
        maxUncoveredShare: z.number().min(0).max(1).default(0.05),
        /** Most ids (and pairs or groups) listed per check; totals are always given. */
        maxIds: z.number().int().min(1).max(10_000).default(50),
      })
      .prefault({}),
    /** Regions of recent production data (`GET /v1/models/{model}/regions`, the report's map, region claims). */
    regions: z
      .object({
        /** The most recent predictions clustered into regions. */
        windowSize: z.number().int().min(20).max(20_000).default(2000),
        /** Window points k-means is fitted on (a deterministic subsample); every window point is then assigned. */
        fitSample: z.number().int().min(20).max(5000).default(600),
        /** k is chosen in [2, maxK] by the mean silhouette on the fitted sample. */
        maxK: z.number().int().min(2).max(40).default(12),
        /** Train examples sampled to measure each region's training share and to draw on the map. */
        trainingSample: z.number().int().min(20).max(20_000).default(1000),
        /** Points (production and training together) projected by UMAP for the map. */
        mapSample: z.number().int().min(20).max(5000).default(600),
        /** Recompute once this share of the window is new predictions (regions are cached until then). */
        refreshShare: z.number().gt(0).max(1).default(0.1),
        seed: z.number().int().min(0).default(1),
      })
      .prefault({}),
    webhooks: z.array(webhook).max(20).default([]),
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
  const parsed = settingsSchema.safeParse(deepMerge(base, patch));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 50).map((i) => ({ path: ['settings', ...i.path].join('.'), message: i.message }));
  throw new ValidationError(`Invalid settings: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
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
