import { z } from 'zod';

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
export const settingsSchema = z
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
      })
      .prefault({}),
    queue: z
      .object({
        labelsPerItem: z.number().int().min(1).max(10).default(1),
        leaseSeconds: z.number().int().min(1).max(86_400).default(300),
        /** Enqueue when uncertainty is at least this. */
        uncertaintyThreshold: z.number().min(0).max(1).default(0.6),
        /** Predictions closer than this to a queued or labeled item add weight to it instead. */
        duplicateRadius: z.number().min(0).default(0.02),
        /** Priority added per doubling of an item's weight (recurrences of the same input). */
        recurrenceBoost: z.number().min(0).default(0.1),
        /** Priority added to recent OOD items while drift waits for labels. */
        driftBoost: z.number().min(0).default(1),
        /** Priority = weighted mean of OOD score, uncertainty and disagreement strength. */
        weights,
      })
      .prefault({}),
    retrain: z
      .object({
        auto: z.boolean().default(true),
        minNewLabels: z.number().int().min(1).default(100),
        minConceptLabels: z.number().int().min(1).default(20),
        maxCleanRegression: z.number().min(0).max(1).default(0.02),
        cooldownMinutes: z.number().min(0).default(60),
      })
      .prefault({}),
    webhooks: z.array(webhook).max(20).default([]),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
/** What a client may send: any subset, nested by group. */
export type SettingsInput = z.input<typeof settingsSchema>;

/** Settings with every default filled in. */
export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}

/** Deep-merges `patch` over `base` (arrays replace) and validates the result. */
export function mergeSettings(base: Settings, patch: unknown): Settings {
  return settingsSchema.parse(deepMerge(base, patch));
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = deepMerge(base[key], value);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
