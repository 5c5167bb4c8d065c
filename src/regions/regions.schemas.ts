import { z } from '@hono/zod-openapi';
import { inputRef } from '../http/common.schemas.js';

const regionSchema = z
  .object({
    id: z.number().int().openapi({ description: 'Stable while the region persists; pass it to `POST .../queue/claim` as `region`' }),
    size: z.number().int().openapi({ description: 'Predictions of the window in this region' }),
    share: z.number().openapi({ description: 'Share of the regions window in this region' }),
    trainingShare: z.number().openapi({ description: 'Share of the training sample nearest to this region' }),
    estimatedAccuracy: z.number().openapi({ description: 'Of the forwarded predictions; labels in the region tighten it' }),
    labeled: z.number().int().openapi({ description: 'Labeled items in the region' }),
    examples: z.array(z.string()).openapi({ description: 'Prediction ids of the most typical members' }),
    centroid2d: z.tuple([z.number(), z.number()]).openapi({ description: 'Where the region sits on the report map (UMAP)' }),
    oodShare: z.number().openapi({ description: 'Share of its members that are OOD' }),
    score: z.number().openapi({ description: 'Over-representation against training × estimated error; regions come highest first' }),
    inputs: z.array(inputRef.nullable()).openapi({ description: 'Inputs of the examples, for thumbnails' }),
  })
  .openapi('Region');

export const regionsResponseSchema = z
  .object({
    regions: z.array(regionSchema).openapi({ description: 'Regions, highest score first' }),
    computedAt: z.string().openapi({ description: 'When the regions were computed' }),
    window: z.object({ count: z.number().int().openapi({ description: 'Predictions in the window' }), throughSeq: z.number().int().openapi({ description: 'Highest prediction sequence number in it' }) }).openapi({ description: 'The clustered window' }),
    k: z.number().int().openapi({ description: 'Number of regions (chosen by silhouette)' }),
    silhouette: z.number().nullable().openapi({ description: 'Mean silhouette of the partition, or null' }),
  })
  .openapi('Regions');
