import { z } from '@hono/zod-openapi';
import { embedding, inputRef, metadata, recordId } from '../http/common.schemas.js';

const predictionSchema = z
  .object({
    id: recordId,
    embedding,
    scores: z.record(z.string(), z.number().min(0).max(1)).openapi({ example: { lager: 0.8, stout: 0.2 } }),
    encoder: z.string().max(256).optional(),
    modelVersion: z.string().max(256).optional(),
    timestamp: z.iso.datetime({ offset: true }).optional(),
    input: inputRef.optional(),
    metadata: metadata.optional(),
  })
  .openapi('Prediction');

export const predictionsBatchSchema = z.object({ predictions: z.array(predictionSchema) }).openapi('PredictionsBatch');

const predictionResultSchema = z.object({
  id: z.string(),
  ood: z.object({ distance: z.number(), score: z.number(), isOod: z.boolean() }),
  uncertainty: z.number(),
  priority: z.number(),
  queued: z.boolean(),
  duplicate: z.boolean(),
});

export const ingestResultSchema = z
  .object({ accepted: z.number(), duplicates: z.number(), results: z.array(predictionResultSchema) })
  .openapi('IngestResult');
