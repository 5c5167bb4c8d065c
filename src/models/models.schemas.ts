import { z } from '@hono/zod-openapi';
import { conceptId } from '../http/common.schemas.js';
import { settingsSchema } from './settings.js';

const d = (description: string) => ({ description });

export const conceptSchema = z
  .object({
    id: conceptId.openapi(d('Concept id, unique in the model')),
    description: z.string().max(10_000).optional().openapi(d('What the concept means, for labelers')),
    includes: z.array(z.string().max(1000)).max(200).optional().openapi(d('What its training data will contain (the visual dictionary)')),
    excludes: z.array(z.string().max(1000)).max(200).optional().openapi(d('What its training data will not contain')),
    origin: z.literal('open-set').optional().openapi(d('Set on concepts that joined through labelers’ newConcepts')),
  })
  .strict()
  .openapi('Concept');

const task = z.enum(['multiclass', 'multilabel']).openapi(d('multiclass: one concept per input (softmax); multilabel: zero or more (sigmoid, per-concept thresholds)'));
const metric = z.enum(['cosine', 'l2']).openapi(d('Distance between embeddings'));
const calibration = z
  .object({
    source: z.enum(['eval', 'leave-one-out']).openapi(d('eval: eval-split k-NN distances; leave-one-out: train distances while the eval split is small')),
    size: z.number().openapi(d('Distances the OOD percentile is calibrated on')),
  })
  .openapi(d('What the OOD score is calibrated on'));

export const modelDefinitionSchema = z
  .object({
    task,
    embeddingDim: z.number().int().min(2).max(65_536).openapi(d('Length of every embedding; fixed once data exists')),
    encoder: z.string().min(1).max(256).optional().openapi(d('The encoder that makes the embeddings; predictions from another encoder are refused')),
    metric: metric.optional(),
    concepts: z.array(conceptSchema).min(1).max(10_000).openapi(d('The taxonomy')),
    settings: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'Nested by group (see Settings); anything left out keeps its value', example: { drift: { windowSize: 500 }, queue: { leaseSeconds: 300 } } }),
  })
  .openapi('ModelDefinition', {
    example: {
      task: 'multiclass',
      embeddingDim: 3,
      encoder: 'clip-vit-b32@2',
      metric: 'cosine',
      concepts: [
        { id: 'lager', description: 'pale, clear', includes: ['pilsner'] },
        { id: 'stout', excludes: ['porter'] },
      ],
      settings: { drift: { windowSize: 500 }, queue: { leaseSeconds: 300 } },
    },
  });

const brief = z
  .object({
    count: z.number().openapi(d('Rows evaluated')),
    accuracy: z.number().openapi(d('Accuracy')),
    macroF1: z.number().openapi(d('Macro-F1')),
  })
  .nullable();

export const modelSchema = z
  .object({
    name: z.string().openapi(d('Model name (the path parameter)')),
    task,
    embeddingDim: z.number().openapi(d('Length of every embedding')),
    encoder: z.string().nullable().openapi(d('The encoder that makes the embeddings, or null when any is accepted')),
    metric,
    concepts: z.array(conceptSchema).openapi(d('The taxonomy')),
    // describe(), not openapi(): settingsSchema is plain zod, and may be built before @hono/zod-openapi extends zod.
    settings: settingsSchema.describe('Every setting in force (webhook secrets read back as ********)'),
    counts: z
      .object({
        examples: z.object({ train: z.number().openapi(d('Train-split examples')), eval: z.number().openapi(d('Eval-split examples')) }).openapi(d('Training examples by split')),
        predictions: z.number().openapi(d('Predictions stored')),
      })
      .openapi(d('What is stored')),
    calibration: calibration.optional(),
    drift: z
      .object({
        status: z.enum(['ok', 'drift']).nullable().openapi(d('Status at the last evaluation, or null before one')),
        score: z.number().nullable().openapi(d('The window OOD rate at the last evaluation')),
        evaluatedAt: z.string().nullable().openapi(d('When drift was last evaluated')),
        lastEventAt: z.string().nullable().openapi(d('When the last drift event was raised')),
      })
      .optional()
      .openapi(d('The latest drift evaluation')),
    champion: z
      .object({
        version: z.number().openapi(d('Champion version number')),
        promotedAt: z.string().nullable().openapi(d('When it became champion')),
        backend: z.string().openapi(d('TensorFlow.js backend that trained it')),
        metrics: z.object({ clean: brief.openapi(d('On clean eval data')), production: brief.openapi(d('On production eval data')) }).openapi(d('Headline figures')),
      })
      .nullable()
      .optional()
      .openapi(d('The champion version, or null before the first training')),
    queue: z
      .object({
        pending: z.number().openapi(d('Items waiting for a labeler')),
        leased: z.number().openapi(d('Items claimed and not yet labeled')),
        labeled: z.number().openapi(d('Items labeled')),
        outOfScope: z.number().openapi(d('Items labeled out of scope')),
      })
      .optional()
      .openapi(d('Review queue depth')),
    createdAt: z.string().openapi(d('When the model was created (ISO 8601)')),
    updatedAt: z.string().openapi(d('When its definition last changed (ISO 8601)')),
  })
  .openapi('Model');
