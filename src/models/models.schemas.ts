import { z } from '@hono/zod-openapi';
import { conceptId } from '../http/common.schemas.js';

export const conceptSchema = z
  .object({
    id: conceptId,
    description: z.string().max(10_000).optional(),
    includes: z.array(z.string().max(1000)).max(200).optional(),
    excludes: z.array(z.string().max(1000)).max(200).optional(),
    origin: z.literal('open-set').optional().openapi({ description: 'Set on concepts that joined through labelers’ newConcepts' }),
  })
  .strict()
  .openapi('Concept');

export const modelDefinitionSchema = z
  .object({
    task: z.enum(['multiclass', 'multilabel']),
    embeddingDim: z.number().int().min(2).max(65_536),
    encoder: z.string().min(1).max(256).optional(),
    metric: z.enum(['cosine', 'l2']).optional(),
    concepts: z.array(conceptSchema).min(1).max(10_000),
    settings: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Nested by group; anything left out keeps its value' }),
  })
  .openapi('ModelDefinition');

export const modelSchema = z
  .object({
    name: z.string(),
    task: z.enum(['multiclass', 'multilabel']),
    embeddingDim: z.number(),
    encoder: z.string().nullable(),
    metric: z.enum(['cosine', 'l2']),
    concepts: z.array(conceptSchema),
    settings: z.record(z.string(), z.unknown()),
    counts: z.object({ examples: z.object({ train: z.number(), eval: z.number() }), predictions: z.number() }),
    calibration: z.object({ source: z.enum(['eval', 'leave-one-out']), size: z.number() }).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .catchall(z.unknown())
  .openapi('Model');
