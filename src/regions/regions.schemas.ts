import { z } from '@hono/zod-openapi';
import { inputRef } from '../http/common.schemas.js';

const regionSchema = z
  .object({
    id: z.number().int().openapi({ description: 'Stable while the region persists; pass it to `POST .../queue/claim` as `region`' }),
    size: z.number().int(),
    share: z.number().openapi({ description: 'Share of the regions window in this region' }),
    trainingShare: z.number().openapi({ description: 'Share of the training sample nearest to this region' }),
    estimatedAccuracy: z.number().openapi({ description: 'Of the forwarded predictions; labels in the region tighten it' }),
    labeled: z.number().int(),
    examples: z.array(z.string()).openapi({ description: 'Prediction ids of the most typical members' }),
    centroid2d: z.tuple([z.number(), z.number()]),
    oodShare: z.number(),
    score: z.number().openapi({ description: 'Over-representation against training × estimated error; regions come highest first' }),
    inputs: z.array(inputRef.nullable()).openapi({ description: 'Inputs of the examples, for thumbnails' }),
  })
  .openapi('Region');

export const regionsResponseSchema = z
  .object({
    regions: z.array(regionSchema),
    computedAt: z.string(),
    window: z.object({ count: z.number().int(), throughSeq: z.number().int() }),
    k: z.number().int(),
    silhouette: z.number().nullable(),
  })
  .openapi('Regions');
