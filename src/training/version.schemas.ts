import { z } from '@hono/zod-openapi';

const d = (description: string) => ({ description });

const conceptScoresSchema = z
  .object({
    precision: z.number().openapi(d('Share of the predictions of this concept that were right')),
    recall: z.number().openapi(d('Share of the inputs of this concept that were found')),
    f1: z.number().openapi(d('Harmonic mean of precision and recall')),
    support: z.number().openapi(d('Rows whose truth includes this concept')),
  })
  .openapi('ConceptScores');

const abstainPoint = z.object({
  threshold: z.number().openapi(d('Answer when the top-1 score is at least this')),
  coverage: z.number().openapi(d('Share of rows answered')),
  precision: z.number().openapi(d('Accuracy on the answered rows')),
});

/** A version's headline figures on one held-out set: in its metrics and in its retrain job's result. */
export const headlineFields = {
  count: z.number().openapi(d('Rows evaluated')),
  accuracy: z.number().openapi(d('Multiclass: top-1 accuracy. Multilabel: exact-set accuracy at the tuned thresholds')),
  macroF1: z.number().openapi(d('Mean F1 over the concepts with support')),
};

/** A version's figures on one held-out set. */
export const evalMetricsSchema = z
  .object({
    ...headlineFields,
    perConcept: z.record(z.string(), conceptScoresSchema).openapi(d('Precision, recall, F1 and support per concept id')),
    confusion: z
      .union([
        z.object({ concepts: z.array(z.string()).openapi(d('Row and column order')), matrix: z.array(z.array(z.number())).openapi(d('matrix[true][predicted] counts')) }),
        z.object({ perConcept: z.record(z.string(), z.array(z.array(z.number()))).openapi(d('[[tn, fp], [fn, tp]] per concept id')) }),
      ])
      .openapi(d('Multiclass: one matrix over the concepts. Multilabel: a 2×2 matrix per concept')),
    ece: z.number().openapi(d('Expected calibration error over 15 bins')),
    abstain: abstainPoint
      .optional()
      .openapi(d('Multiclass: what answering only above the abstain threshold gives on this set')),
  })
  .openapi('EvalMetrics', d('A version’s figures on one held-out set'));

export const versionMetricsSchema = z
  .object({
    clean: evalMetricsSchema.nullable().openapi(d('On held-out clean (original) eval examples; null when there are none')),
    production: evalMetricsSchema.nullable().openapi(d('On held-out labeled production items; null when there are none')),
    validation: evalMetricsSchema.nullable().openapi(d('On the validation slice of the train split used for early stopping and threshold tuning')),
    training: z
      .object({
        epochsRun: z.number().openapi(d('Epochs run before stopping')),
        bestEpoch: z.number().openapi(d('Epoch whose weights were kept')),
        stoppedEarly: z.boolean().openapi(d('Whether early stopping ended the fit')),
        batchSize: z.number().openapi(d('Rows per step actually used')),
        fitMs: z.number().openapi(d('Time spent fitting, in milliseconds')),
        history: z
          .array(
            z.object({
              epoch: z.number().openapi(d('Epoch number, from 1')),
              epochs: z.number().openapi(d('Most epochs allowed')),
              loss: z.number().openapi(d('Training loss')),
              valLoss: z.number().nullable().openapi(d('Validation loss, or null without a validation slice')),
            }),
          )
          .openapi(d('Loss per epoch')),
      })
      .openapi(d('How the fit went')),
  })
  .openapi('VersionMetrics', d('What the version scored on held-out clean, production and validation data, and how its fit went'));

export const thresholdsSchema = z
  .union([
    z.object({
      kind: z.literal('multiclass').openapi(d('Multiclass: one abstain threshold on the top-1 score')),
      targetPrecision: z.number().openapi(d('retrain.targetPrecision at training time')),
      abstain: abstainPoint.openapi(d('The abstain point chosen on the validation slice')),
      tunedOn: z.number().openapi(d('Validation rows the threshold was tuned on')),
      untuned: z.string().optional().openapi(d('Why the threshold was left untuned, when it was')),
    }),
    z.object({
      kind: z.literal('multilabel').openapi(d('Multilabel: one decision threshold per concept')),
      perConcept: z.record(z.string(), z.number()).openapi(d('Tuned threshold per concept id')),
      tunedOn: z.number().openapi(d('Validation rows the thresholds were tuned on')),
      untuned: z.string().optional().openapi(d('Why the thresholds were left at 0.5, when they were')),
    }),
  ])
  .openapi('VersionThresholds', d('The version’s own thresholds, tuned on its validation slice and stored in its artifact'));

const splitCounts = (what: string) =>
  z
    .object({
      fit: z.number().openapi(d(`${what} rows fitted on`)),
      validation: z.number().openapi(d(`${what} rows held out for early stopping and tuning`)),
      eval: z.number().openapi(d(`${what} rows in the held-out evaluation`)),
    })
    .openapi(d(`${what} rows by use`));

export const trainedOnSchema = z
  .object({
    dataAsOf: z.string().openapi(d('When the data was read; labels given after it are new for this version')),
    original: splitCounts('Original example'),
    production: splitCounts('Labeled production item').extend({
      skipped: z.number().openapi(d('Labeled items left out (skipped, out of scope or unusable)')),
      itemIds: z
        .object({ train: z.array(z.string()).openapi(d('Item ids trained on')), eval: z.array(z.string()).openapi(d('Item ids evaluated on')) })
        .openapi(d('Which production items were used where')),
    }),
    labelIds: z.array(z.string()).openapi(d('Ids of the labels used')),
    concepts: z.array(z.string()).openapi(d('Output concepts, in the artifact’s order')),
    addedConcepts: z.array(z.string()).openapi(d('Concepts proposed by labelers that joined with this version')),
    backend: z.string().openapi(d('TensorFlow.js backend that trained it')),
    durationMs: z.number().openapi(d('Training job duration in milliseconds')),
    jobId: z.string().nullable().openapi(d('The retraining job, or null')),
    settings: z
      .object({
        hiddenUnits: z.number().openapi(d('retrain.hiddenUnits')),
        epochs: z.number().openapi(d('retrain.epochs')),
        batchSize: z.number().openapi(d('retrain.batchSize')),
        learningRate: z.number().openapi(d('retrain.learningRate')),
        patience: z.number().openapi(d('retrain.patience')),
        validationShare: z.number().openapi(d('retrain.validationShare')),
        productionWeight: z.number().openapi(d('retrain.productionWeight')),
        classWeights: z.enum(['balanced', 'none']).openapi(d('retrain.classWeights')),
        seed: z.number().openapi(d('retrain.seed')),
      })
      .openapi(d('The retrain settings in force')),
    classWeights: z.record(z.string(), z.number()).openapi(d('Class (multiclass) or positive-term (multilabel) weight per concept id')),
  })
  .openapi('TrainedOn', d('Lineage: exactly what the version was trained and evaluated on, and how'));

export const evalSetSchema = z
  .object({
    name: z.enum(['production-eval', 'clean-eval']).openapi(d('Which held-out set')),
    size: z.number().openapi(d('Items in it')),
    digest: z.string().openapi(d('sha256 of the sorted item ids, first 16 hex digits: equal digests compared the same items')),
    asOf: z.string().openapi(d('When the data was read')),
  })
  .nullable()
  .openapi('EvalSet', d('A held-out set both versions were scored on, or null when empty'));

const pairedEvidence = {
  randomisation: z
    .object({
      difference: z.number().openapi(d('Production macro-F1, candidate minus champion')),
      pValue: z.number().openapi(d('One-sided p-value of “the candidate is not better”: the share of sign flips (each item’s two answers swapped or not) with a difference at least the observed one; the decision compares it with alpha')),
      discordant: z.number().openapi(d('Items the two versions answer differently: the only ones a swap changes')),
      method: z.enum(['exact', 'monte-carlo']).openapi(d('exact: every swap subset (at most 16 discordant items); monte-carlo: random swaps, p with the +1 correction')),
      draws: z.number().openapi(d('Swap subsets evaluated: 2^discordant, or retrain.bootstrapResamples random ones')),
      seed: z.number().openapi(d('Seed of the random swaps')),
    })
    // Records made before the sign-flip test were decided by the bootstrap p and have none.
    .optional()
    .openapi(d('The decision test: paired sign-flip randomisation test of the production macro-F1 difference; absent from records made before it (2026-12-02), which the bootstrap p decided')),
  bootstrap: z
    .object({
      difference: z.number().openapi(d('Production macro-F1, candidate minus champion')),
      interval: z.tuple([z.number(), z.number()]).openapi(d('Percentile interval of the difference at level')),
      level: z.number().openapi(d('Interval level')),
      pValue: z.number().openapi(d('One-sided bootstrap p-value of “the candidate is not better”; anti-conservative on few items, so recorded but not the decision')),
      resamples: z.number().openapi(d('Bootstrap resamples')),
      seed: z.number().openapi(d('Seed of the resampling')),
    })
    .openapi(d('Effect size: paired bootstrap of the production macro-F1 difference (the decision test before the sign-flip test)')),
  mcnemar: z
    .object({
      candidateOnly: z.number().openapi(d('Items the candidate gets right and the champion wrong')),
      championOnly: z.number().openapi(d('Items the champion gets right and the candidate wrong')),
      pValue: z.number().openapi(d('Two-sided exact McNemar p-value')),
    })
    .openapi(d('Accuracy view of the same pairs, recorded beside it')),
};

/** The paired test of a decision, as stored: in a version's decision and in its retrain job's result. */
export const significanceSchema = z
  .object({
    test: z.string().openapi(d('The test, in words')),
    alpha: z.number().openapi(d('retrain.promotionAlpha')),
    significant: z.boolean().openapi(d('Whether the production gain is more than noise')),
    ...pairedEvidence,
  })
  .nullable()
  .openapi(d('Whether the production difference is more than noise, or null without a champion or production eval data'));

const pair = (extra: string) => d(`Candidate and champion macro-F1${extra}, or null when the set is empty`);

export const decisionSchema = z
  .object({
    promote: z.boolean().openapi(d('Whether the promotion rule promoted it')),
    reason: z.string().openapi(d('The rule’s verdict in words')),
    champion: z
      .object({
        version: z.number().openapi(d('Champion version number')),
        clean: evalMetricsSchema.nullable().openapi(d('The champion re-scored on the same clean eval data')),
        production: evalMetricsSchema.nullable().openapi(d('The champion re-scored on the same production eval data')),
      })
      .nullable()
      .openapi(d('The champion compared against, or null for the first version')),
    evalSets: z
      .object({ production: evalSetSchema, clean: evalSetSchema })
      .openapi(d('The sets both versions were scored on at decision time')),
    evidence: z
      .object({
        examples: z.number().openapi(d('Held-out examples, clean and production eval together')),
        clean: z.number().openapi(d('Clean eval examples')),
        production: z.number().openapi(d('Production eval examples')),
        perConcept: z.record(z.string(), z.number()).openapi(d('Held-out examples of each concept (multilabel: positives)')),
        required: z
          .object({
            examples: z.number().openapi(d('retrain.minEvalExamples')),
            perConcept: z.number().openapi(d('retrain.minEvalPerConcept')),
          })
          .openapi(d('The minimum in force when the version was trained')),
        sufficient: z.boolean().openapi(d('Whether the version met the minimum')),
      })
      .nullable()
      .openapi(d('Without a champion: the held-out data the version was evaluated on, against the minimum a first champion needs; null when a champion was compared against')),
    comparison: z
      .object({
        productionMacroF1: z
          .object({ candidate: z.number().openapi(d('This version')), champion: z.number().openapi(d('The champion')), evalSet: evalSetSchema })
          .nullable()
          .openapi(pair(' on production eval data')),
        cleanMacroF1: z
          .object({
            candidate: z.number().openapi(d('This version')),
            champion: z.number().openapi(d('The champion')),
            regression: z.number().openapi(d('Champion minus candidate')),
            limit: z.number().openapi(d('retrain.maxCleanRegression')),
            evalSet: evalSetSchema,
          })
          .nullable()
          .openapi(pair(' on clean eval data, with the allowed regression')),
        significance: significanceSchema,
      })
      .openapi(d('The figures the rule compared')),
    promotions: z
      .array(
        z.object({
          at: z.string().openapi(d('When it became champion')),
          by: z.enum(['rule', 'manual']).openapi(d('The promotion rule, or a manual promote call')),
          replaced: z.number().nullable().openapi(d('The champion version it replaced')),
        }),
      )
      .openapi(d('Every time it became champion')),
  })
  .openapi('VersionDecision', d('The promotion rule’s verdict at training time, and every promotion since'));
