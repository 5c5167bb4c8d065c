import { z } from '@hono/zod-openapi';
import { conceptId, inputRef, oodResult } from '../http/common.schemas.js';

/** Who labels: a name, remembered by the labeling page. */
const labelerName = z.string().trim().min(1).max(128).openapi({ example: 'ann', description: "The labeler's name; a label key may only name itself" });

/** Digits of a positive integer JavaScript holds exactly: 9999999999999999 would be read as 10000000000000000, another item. */
const itemIdDigits = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'item ids are positive integers')
  .refine((s) => Number.isSafeInteger(Number(s)), 'item ids are positive integers up to 9007199254740991');

const itemId = z.union([itemIdDigits, z.number().int().positive().max(Number.MAX_SAFE_INTEGER)]).openapi({ example: '1', description: 'Queue item id (from a claim)' });

export const itemParams = z.object({
  itemId: itemIdDigits.openapi({ param: { name: 'itemId', in: 'path' }, example: '1', description: 'Queue item id (from a claim)' }),
});

export const claimRequestSchema = z
  .object({
    labeler: labelerName.openapi({ description: 'Who claims; a label key may only name itself' }),
    limit: z.number().int().min(1).max(100).default(1).openapi({ description: 'Most items to lease' }),
    region: z.number().int().min(1).optional().openapi({ description: 'Only items of this region (`GET .../regions`)' }),
  })
  .openapi('ClaimRequest', { example: { labeler: 'ann', limit: 1 } });

export const renewRequestSchema = z
  .object({ labeler: labelerName.openapi({ description: 'The labeler holding the lease' }) })
  .openapi('RenewRequest', { example: { labeler: 'ann' } });

const neighborSchema = z.object({
  id: z.string().openapi({ description: 'Training example id' }),
  concepts: z.array(z.string()).openapi({ description: 'Its concepts' }),
  distance: z.number().openapi({ description: 'Distance from the item' }),
  input: inputRef.nullable().openapi({ description: 'Its input, or null' }),
});

const claimedItemSchema = z
  .object({
    itemId: z.string().openapi({ description: 'Queue item id' }),
    predictionId: z.string().openapi({ description: 'The prediction it came from' }),
    leaseExpiresAt: z.string().openapi({ description: 'When the lease ends and the item returns to the queue' }),
    priority: z.number().openapi({ description: 'Queue priority' }),
    weight: z.number().openapi({ description: '1 + near-duplicates merged into this item' }),
    labelsNeeded: z.number().openapi({ description: 'Labels still needed (queue.labelsPerItem)' }),
    reasons: z.array(z.enum(['ood', 'uncertain', 'disagreement', 'drift'])).openapi({ description: 'Why it was queued' }),
    scores: z.record(z.string(), z.number()).openapi({ description: 'The app scores per concept' }),
    predicted: z.string().openapi({ description: 'The app top concept' }),
    ood: oodResult,
    uncertainty: z.number().openapi({ description: 'In [0, 1]' }),
    knn: z
      .object({
        concept: z.string().nullable().openapi({ description: 'The concept the nearest training examples vote for' }),
        share: z.number().openapi({ description: 'Share of the vote it got' }),
      })
      .openapi({ description: 'Vote of the ood.k nearest training examples' }),
    input: inputRef.nullable().openapi({ description: 'Where the input can be seen, or null' }),
    metadata: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'The app metadata, or null' }),
    timestamp: z.string().openapi({ description: 'When the app made the prediction' }),
    neighbors: z.array(neighborSchema).openapi({ description: 'Nearest training examples, for comparison' }),
  })
  .openapi('ClaimedItem');

export const claimResponseSchema = z
  .object({ items: z.array(claimedItemSchema).openapi({ description: 'Items now leased to the labeler, highest priority first (empty when none is pending)' }) })
  .openapi('ClaimResponse');

export const renewResponseSchema = z
  .object({ itemId: z.string().openapi({ description: 'The item' }), leaseExpiresAt: z.string().openapi({ description: 'When the renewed lease expires' }) })
  .openapi('RenewResponse');

const labelSchema = z
  .object({
    itemId,
    labeler: labelerName.openapi({ description: 'Who labels; a label key may only name itself' }),
    concepts: z.array(conceptId).max(1000).default([]).openapi({ description: 'The concepts of the input (taxonomy ids, each once)' }),
    newConcepts: z.array(z.string().trim().pipe(conceptId)).max(100).optional().openapi({ description: 'Concepts the taxonomy lacks, proposed by the labeler' }),
    outOfScope: z.boolean().optional().openapi({ description: 'The input is none of the model business' }),
    skip: z.boolean().optional().openapi({ description: 'The labeler passes on the item' }),
    bulk: z.boolean().optional().openapi({ description: 'Given by confirming a grid of similar items; bulk labels never reach the eval split unreviewed' }),
  })
  .openapi('Label');

export const labelsBatchSchema = z
  .object({ labels: z.array(labelSchema).openapi({ description: 'The batch: all stored, or none when one is invalid' }) })
  .openapi('LabelsBatch', { example: { labels: [{ itemId: '1', labeler: 'ann', concepts: ['lager'] }] } });

export const retractRequestSchema = z
  .object({ labeler: labelerName, itemIds: z.array(itemId).min(1).max(100).openapi({ description: 'Items whose labels by this labeler are withdrawn (the undo of a bulk grid)' }) })
  .openapi('RetractBulkRequest', { example: { labeler: 'ann', itemIds: ['1'] } });

export const retractResultSchema = z.object({ retracted: z.number().openapi({ description: 'Labels withdrawn' }) }).openapi('RetractBulkResult');

export const labelsResultSchema = z
  .object({ accepted: z.number().openapi({ description: 'Labels stored' }), duplicates: z.number().openapi({ description: 'Labels given before: nothing changed' }) })
  .openapi('LabelsResult');

export const similarQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(12).openapi({ param: { name: 'limit', in: 'query' }, example: 12, description: 'Most items returned' }),
  radius: z.coerce
    .number()
    .gt(0)
    .max(10)
    .default(1)
    .openapi({ param: { name: 'radius', in: 'query' }, description: 'Farthest item, as a multiple of the typical distance from a training example to its k nearest neighbours', example: 1 }),
});

export const similarItemsSchema = z
  .object({
    items: z
      .array(
        z.object({
          itemId: z.string().openapi({ description: 'A pending item' }),
          predictionId: z.string().openapi({ description: 'Its prediction id' }),
          distance: z.number().openapi({ description: 'Distance from the item asked about' }),
          input: inputRef.nullable().openapi({ description: 'Its input, or null' }),
        }),
      )
      .openapi({ description: 'Pending, unleased items nearest first' }),
  })
  .openapi('SimilarItems');

export const queueStatsSchema = z
  .object({
    pending: z.number().openapi({ description: 'Items waiting for a labeler' }),
    leased: z.number().openapi({ description: 'Items claimed and not yet labeled' }),
    labeled: z.number().openapi({ description: 'Items labeled' }),
    outOfScope: z.number().openapi({ description: 'Items labeled out of scope' }),
    byReason: z.record(z.string(), z.number()).openapi({ description: 'Pending items per reason (ood, uncertain, disagreement, drift)' }),
    labelers: z
      .array(
        z.object({
          labeler: z.string().openapi({ description: 'Labeler name' }),
          labeled: z.number().openapi({ description: 'Labels given in all' }),
          today: z.number().openapi({ description: 'Labels given today (UTC)' }),
          skipped: z.number().openapi({ description: 'Items skipped' }),
        }),
      )
      .openapi({ description: 'Per labeler' }),
    newConcepts: z
      .array(
        z.object({
          concept: z.string().openapi({ description: 'Proposed concept id' }),
          labels: z.number().openapi({ description: 'Labels proposing it' }),
          labelers: z.number().openapi({ description: 'Distinct labelers among them (retrain.minConceptLabelers)' }),
        }),
      )
      .openapi({ description: 'Concepts proposed by labelers, not yet in the taxonomy' }),
    agreement: z
      .object({
        method: z.enum(['cohen', 'fleiss']).openapi({ description: 'Which kappa' }),
        kappa: z.number().openapi({ description: 'Agreement beyond chance, at most 1' }),
        items: z.number().openapi({ description: 'Items labeled more than once' }),
        labelers: z.number().openapi({ description: 'Labelers involved' }),
      })
      .optional()
      .openapi({ description: "Cohen's kappa when two labelers shared items, Fleiss' when more did" }),
  })
  .openapi('QueueStats');
