import { z } from '@hono/zod-openapi';

const status = z.enum(['ok', 'warn']);
const conceptCount = z.object({ concept: z.string(), count: z.number(), share: z.number() });
const examplePair = z.object({
  ids: z.tuple([z.string(), z.string()]),
  concepts: z.tuple([z.array(z.string()), z.array(z.string())]),
  distance: z.number(),
});

function check<N extends string, D extends z.ZodObject>(name: N, details: D, description: string) {
  return z
    .object({
      name: z.literal(name),
      status,
      message: z.string(),
      ids: z.array(z.string()).optional().openapi({ description: 'Ids involved, capped at health.maxIds' }),
      idsTotal: z.number().optional().openapi({ description: 'How many ids are involved in all' }),
      details,
    })
    .openapi({ description });
}

const healthCheckSchema = z
  .discriminatedUnion('name', [
    check(
      'concept_balance',
      z.object({ ratio: z.number().nullable(), maxRatio: z.number(), largest: conceptCount.nullable(), smallest: conceptCount.nullable(), missing: z.array(z.string()) }),
      'Train examples per concept: largest over smallest count, and concepts without examples',
    ),
    check(
      'near_duplicates',
      z.object({ radius: z.number(), pairs: z.number(), exactPairs: z.number(), groups: z.number(), redundant: z.number(), sample: z.array(z.array(z.string())) }),
      'Groups of examples within the near-duplicate radius; ids are their members',
    ),
    check('label_conflicts', z.object({ radius: z.number(), pairs: z.number(), sample: z.array(examplePair) }), 'Near-duplicates with different concepts'),
    check(
      'train_eval_leakage',
      z.object({ radius: z.number(), leaked: z.number(), evalTotal: z.number(), share: z.number(), sample: z.array(examplePair) }),
      'Eval examples with a near-duplicate in train; ids are the eval examples',
    ),
    check(
      'concept_distinctness',
      z.object({
        k: z.number(),
        minPurity: z.number(),
        purity: z.array(z.object({ concept: z.string(), purity: z.number(), examples: z.number() })),
        confused: z.array(z.object({ concepts: z.tuple([z.string(), z.string()]), share: z.number() })),
      }),
      "k-NN purity per concept and the most confused pairs; ids are low-purity concepts' examples that sit among other concepts",
    ),
    check(
      'training_coverage',
      z.object({ window: z.number(), uncovered: z.number(), share: z.number(), maxShare: z.number(), radius: z.number().nullable() }),
      'Share of the last drift.windowSize predictions with no train neighbour inside the OOD radius; ids are prediction ids',
    ),
    check(
      'concept_spread',
      z.object({
        wideFactor: z.number(),
        median: z.number().nullable(),
        spread: z.array(z.object({ concept: z.string(), spread: z.number(), ratio: z.number(), examples: z.number() })),
        wide: z.array(z.string()),
      }),
      "RMS distance to the concept centroid vs the median concept's; ids are the wide concepts' farthest examples",
    ),
    check(
      'calibration_size',
      z.object({
        source: z.enum(['eval', 'leave-one-out']),
        size: z.number(),
        quantile: z.number(),
        nominalRate: z.number(),
        expectedRate: z.number().nullable(),
        low: z.number().nullable(),
        high: z.number().nullable(),
        recommended: z.number(),
      }),
      "Whether the OOD calibration set is large enough for ood.quantile: the false-alarm rate's mean and 5%–95% range over calibration draws",
    ),
  ])
  .openapi('HealthCheck');

export const healthReportSchema = z
  .object({
    model: z.string(),
    computedAt: z.string().openapi({ description: 'When the example checks were computed (cached until the examples change)' }),
    counts: z.object({
      train: z.number(),
      eval: z.number(),
      byConcept: z.record(z.string(), z.object({ train: z.number(), eval: z.number() })),
    }),
    checks: z.array(healthCheckSchema),
    calibration: z
      .object({
        source: z.enum(['eval', 'leave-one-out']),
        size: z.number(),
        sequentialDetector: z.object({ armed: z.boolean(), required: z.number(), message: z.string() }),
      })
      .openapi({ description: 'The conformal calibration, and whether the eval split is large enough to arm the sequential drift detector' }),
  })
  .openapi('TrainingDataHealth');
