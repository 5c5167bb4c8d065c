import { z } from '@hono/zod-openapi';

const status = z.enum(['ok', 'warn']);
const conceptCount = z.object({ concept: z.string().openapi({ description: 'Concept id' }), count: z.number().openapi({ description: 'Its train examples' }), share: z.number().openapi({ description: 'Its share of the train split' }) });
const examplePair = z.object({
  ids: z.tuple([z.string(), z.string()]).openapi({ description: 'The two example ids' }),
  concepts: z.tuple([z.array(z.string()), z.array(z.string())]).openapi({ description: 'Their concepts' }),
  distance: z.number().openapi({ description: 'Distance between them' }),
});

function check<N extends string, D extends z.ZodObject>(name: N, details: D, description: string) {
  return z
    .object({
      name: z.literal(name).openapi({ description: 'Which check' }),
      status: status.openapi({ description: 'ok, or warn when the check found a problem' }),
      message: z.string().openapi({ description: 'The finding in words' }),
      ids: z.array(z.string()).optional().openapi({ description: 'Ids involved, capped at health.maxIds' }),
      idsTotal: z.number().optional().openapi({ description: 'How many ids are involved in all' }),
      details: details.openapi({ description: 'The figures behind the finding' }),
    })
    .openapi({ description });
}

const healthCheckSchema = z
  .discriminatedUnion('name', [
    check(
      'concept_balance',
      z.object({ ratio: z.number().nullable().openapi({ description: 'Largest over smallest train count, or null' }), maxRatio: z.number().openapi({ description: 'health.imbalanceRatio' }), largest: conceptCount.nullable().openapi({ description: 'The concept with most train examples' }), smallest: conceptCount.nullable().openapi({ description: 'The concept with fewest' }), missing: z.array(z.string()).openapi({ description: 'Concepts without train examples' }) }),
      'Train examples per concept: largest over smallest count, and concepts without examples',
    ),
    check(
      'near_duplicates',
      z.object({ radius: z.number().openapi({ description: 'Near-duplicate distance' }), pairs: z.number().openapi({ description: 'Pairs within it' }), exactPairs: z.number().openapi({ description: 'Pairs at distance 0' }), groups: z.number().openapi({ description: 'Groups of near-duplicates' }), redundant: z.number().openapi({ description: 'Examples beyond the first of each group' }), sample: z.array(z.array(z.string())).openapi({ description: 'Some groups, by id' }) }),
      'Groups of examples within the near-duplicate radius; ids are their members',
    ),
    check('label_conflicts', z.object({ radius: z.number().openapi({ description: 'Near-duplicate distance' }), pairs: z.number().openapi({ description: 'Near-duplicate pairs with different concepts' }), sample: z.array(examplePair).openapi({ description: 'Some pairs' }) }), 'Near-duplicates with different concepts'),
    check(
      'train_eval_leakage',
      z.object({ radius: z.number().openapi({ description: 'Near-duplicate distance' }), leaked: z.number().openapi({ description: 'Eval examples with a near-duplicate in train' }), evalTotal: z.number().openapi({ description: 'Eval examples' }), share: z.number().openapi({ description: 'leaked / evalTotal' }), sample: z.array(examplePair).openapi({ description: 'Some pairs' }) }),
      'Eval examples with a near-duplicate in train; ids are the eval examples',
    ),
    check(
      'concept_distinctness',
      z.object({
        k: z.number().openapi({ description: 'Neighbours looked at (ood.k)' }),
        minPurity: z.number().openapi({ description: 'health.minPurity' }),
        purity: z.array(z.object({ concept: z.string().openapi({ description: 'Concept id' }), purity: z.number().openapi({ description: 'Share of its examples’ neighbours with the same concept' }).openapi({ description: 'Per concept' }), examples: z.number().openapi({ description: 'Its train examples' }) })).openapi({ description: 'Per concept' }),
        confused: z.array(z.object({ concepts: z.tuple([z.string(), z.string()]).openapi({ description: 'The pair' }), share: z.number().openapi({ description: 'Share of neighbours across the pair' }) })).openapi({ description: 'Pairs of concepts most often neighbours' }),
      }),
      "k-NN purity per concept and the most confused pairs; ids are low-purity concepts' examples that sit among other concepts",
    ),
    check(
      'training_coverage',
      z.object({ window: z.number().openapi({ description: 'Predictions looked at' }), uncovered: z.number().openapi({ description: 'Of them, with no train neighbour inside the radius' }), share: z.number().openapi({ description: 'uncovered / window' }), maxShare: z.number().openapi({ description: 'health.maxUncoveredShare' }), radius: z.number().nullable().openapi({ description: 'The OOD radius, or null before calibration' }) }),
      'Share of the last drift.windowSize predictions with no train neighbour inside the OOD radius; ids are prediction ids',
    ),
    check(
      'concept_spread',
      z.object({
        wideFactor: z.number().openapi({ description: 'health.wideFactor' }),
        median: z.number().nullable().openapi({ description: 'Median spread over concepts, or null' }),
        spread: z.array(z.object({ concept: z.string().openapi({ description: 'Concept id' }), spread: z.number().openapi({ description: 'RMS distance of its examples to their centroid' }).openapi({ description: 'Per concept' }), ratio: z.number().openapi({ description: 'Its spread over the median' }), examples: z.number().openapi({ description: 'Its train examples' }) })).openapi({ description: 'Per concept' }),
        wide: z.array(z.string()).openapi({ description: 'Concepts wider than wideFactor × median' }),
      }),
      "RMS distance to the concept centroid vs the median concept's; ids are the wide concepts' farthest examples",
    ),
    check(
      'calibration_size',
      z.object({
        source: z.enum(['eval', 'leave-one-out']).openapi({ description: 'eval or leave-one-out' }),
        size: z.number().openapi({ description: 'Calibration distances' }),
        quantile: z.number().openapi({ description: 'ood.quantile' }),
        nominalRate: z.number().openapi({ description: '1 − quantile: the promised false-alarm rate' }),
        expectedRate: z.number().nullable().openapi({ description: 'Mean false-alarm rate over calibration draws, or null' }),
        low: z.number().nullable().openapi({ description: 'Its 5% quantile, or null' }),
        high: z.number().nullable().openapi({ description: 'Its 95% quantile, or null' }),
        recommended: z.number().openapi({ description: 'Eval examples recommended for this quantile' }),
      }),
      "Whether the OOD calibration set is large enough for ood.quantile: the false-alarm rate's mean and 5%–95% range over calibration draws",
    ),
  ])
  .openapi('HealthCheck');

export const healthReportSchema = z
  .object({
    model: z.string().openapi({ description: 'Model name' }),
    computedAt: z.string().openapi({ description: 'When the example checks were computed (cached until the examples change)' }),
    counts: z.object({
      train: z.number().openapi({ description: 'Train-split examples' }),
      eval: z.number().openapi({ description: 'Eval-split examples' }),
      byConcept: z.record(z.string(), z.object({ train: z.number().openapi({ description: 'Train-split examples' }), eval: z.number().openapi({ description: 'Eval-split examples' }) })).openapi({ description: 'Per concept id' }),
    }).openapi({ description: 'Examples by split' }),
    checks: z.array(healthCheckSchema).openapi({ description: 'The checklist' }),
    calibration: z
      .object({
        source: z.enum(['eval', 'leave-one-out']).openapi({ description: 'eval or leave-one-out' }),
        size: z.number().openapi({ description: 'Calibration distances' }),
        sequentialDetector: z.object({ armed: z.boolean().openapi({ description: 'Armed: enough eval examples' }), required: z.number().openapi({ description: 'Eval examples it needs' }), message: z.string().openapi({ description: 'In words' }) }).openapi({ description: 'Whether the sequential detector is armed' }),
      })
      .openapi({ description: 'The conformal calibration, and whether the eval split is large enough to arm the sequential drift detector' }),
  })
  .openapi('TrainingDataHealth');
