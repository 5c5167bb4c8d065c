import { z } from '@hono/zod-openapi';
import { conceptId, inputRef } from '../http/common.schemas.js';

/** Who labels: a name, remembered by the labeling page. */
const labelerName = z.string().trim().min(1).max(128).openapi({ example: 'ann' });

const itemId = z
  .union([z.string().regex(/^[1-9][0-9]{0,15}$/, 'item ids are positive integers'), z.number().int().positive()])
  .openapi({ example: '42' });

export const itemParams = z.object({
  itemId: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'item ids are positive integers')
    .openapi({ param: { name: 'itemId', in: 'path' }, example: '42' }),
});

export const claimRequestSchema = z
  .object({
    labeler: labelerName,
    limit: z.number().int().min(1).max(100).default(1),
    region: z.number().int().min(1).optional().openapi({ description: 'Only items of this region (`GET .../regions`)' }),
  })
  .openapi('ClaimRequest');

export const renewRequestSchema = z.object({ labeler: labelerName }).openapi('RenewRequest');

const neighborSchema = z.object({ id: z.string(), concepts: z.array(z.string()), distance: z.number(), input: inputRef.nullable() });

const claimedItemSchema = z
  .object({
    itemId: z.string(),
    predictionId: z.string(),
    leaseExpiresAt: z.string(),
    priority: z.number(),
    weight: z.number().openapi({ description: '1 + near-duplicates merged into this item' }),
    labelsNeeded: z.number(),
    reasons: z.array(z.enum(['ood', 'uncertain', 'disagreement', 'drift'])),
    scores: z.record(z.string(), z.number()),
    predicted: z.string(),
    ood: z.object({ distance: z.number(), score: z.number(), isOod: z.boolean() }),
    uncertainty: z.number(),
    knn: z.object({ concept: z.string().nullable(), share: z.number() }),
    input: inputRef.nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    timestamp: z.string(),
    neighbors: z.array(neighborSchema),
  })
  .openapi('ClaimedItem');

export const claimResponseSchema = z.object({ items: z.array(claimedItemSchema) }).openapi('ClaimResponse');

export const renewResponseSchema = z.object({ itemId: z.string(), leaseExpiresAt: z.string() }).openapi('RenewResponse');

const labelSchema = z
  .object({
    itemId,
    labeler: labelerName,
    concepts: z.array(conceptId).max(1000).default([]),
    newConcepts: z.array(z.string().trim().pipe(conceptId)).max(100).optional(),
    outOfScope: z.boolean().optional(),
    skip: z.boolean().optional(),
    bulk: z.boolean().optional().openapi({ description: 'Given by confirming a grid of similar items; bulk labels never reach the eval split unreviewed' }),
  })
  .openapi('Label');

export const labelsBatchSchema = z.object({ labels: z.array(labelSchema) }).openapi('LabelsBatch');

export const retractRequestSchema = z
  .object({ labeler: labelerName, itemIds: z.array(itemId).min(1).max(100) })
  .openapi('RetractBulkRequest');

export const retractResultSchema = z.object({ retracted: z.number() }).openapi('RetractBulkResult');

export const labelsResultSchema = z.object({ accepted: z.number(), duplicates: z.number() }).openapi('LabelsResult');

export const similarQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(12).openapi({ param: { name: 'limit', in: 'query' }, example: 12 }),
  radius: z.coerce
    .number()
    .gt(0)
    .max(10)
    .default(1)
    .openapi({ param: { name: 'radius', in: 'query' }, description: 'Farthest item, as a multiple of the typical distance from a training example to its k nearest neighbours', example: 1 }),
});

export const similarItemsSchema = z
  .object({ items: z.array(z.object({ itemId: z.string(), predictionId: z.string(), distance: z.number(), input: inputRef.nullable() })) })
  .openapi('SimilarItems');

export const queueStatsSchema = z
  .object({
    pending: z.number(),
    leased: z.number(),
    labeled: z.number(),
    outOfScope: z.number(),
    byReason: z.record(z.string(), z.number()),
    labelers: z.array(z.object({ labeler: z.string(), labeled: z.number(), today: z.number(), skipped: z.number() })),
    newConcepts: z.array(z.object({ concept: z.string(), labels: z.number() })),
    agreement: z
      .object({ method: z.enum(['cohen', 'fleiss']), kappa: z.number(), items: z.number(), labelers: z.number() })
      .optional()
      .openapi({ description: "Cohen's kappa when two labelers shared items, Fleiss' when more did" }),
  })
  .openapi('QueueStats');
