import { z } from '@hono/zod-openapi';
import { embedding, inputRef, metadata, oodResult, recordId } from '../http/common.schemas.js';

const predictionSchema = z
  .object({
    id: recordId.openapi({ description: 'Client-chosen id; sending it again changes nothing and counts as a duplicate' }),
    embedding: embedding.openapi({ description: 'The input embedding from the model encoder (embeddingDim numbers)' }),
    scores: z.record(z.string(), z.number().min(0).max(1)).openapi({ example: { lager: 0.8, stout: 0.2 }, description: 'The app model score per concept id, as it answered in production' }),
    encoder: z.string().max(256).optional().openapi({ description: 'The encoder that made the embedding; must match the model encoder when set' }),
    modelVersion: z.string().max(256).optional().openapi({ description: 'The app model version that made the scores' }),
    timestamp: z.iso.datetime({ offset: true }).optional().openapi({ description: 'When the app made the prediction (ISO 8601 with offset); defaults to arrival' }),
    input: inputRef.optional().openapi({ description: 'Where the input can be seen (URL or text), for labelers' }),
    metadata: metadata.optional().openapi({ description: 'Anything the app wants to keep with the prediction' }),
  })
  .openapi('Prediction');

export const predictionsBatchSchema = z
  .object({ predictions: z.array(predictionSchema).openapi({ description: 'The batch: all stored, or none when one is invalid' }) })
  .openapi('PredictionsBatch', {
    example: {
      predictions: [
        { id: 'p1', embedding: [0.8, 0.2, 0.2], scores: { lager: 0.55, stout: 0.45 }, timestamp: '2026-11-30T12:00:00Z', input: { url: 'https://example.com/p1.jpg' }, metadata: { app: 'checkout' } },
      ],
    },
  });

const predictionResultSchema = z.object({
  id: z.string().openapi({ description: 'The prediction id' }),
  ood: oodResult,
  uncertainty: z.number().openapi({ description: 'In [0, 1], from the forwarded scores' }),
  priority: z.number().openapi({ description: 'Queue priority: weighted OOD score, uncertainty and disagreement' }),
  queued: z.boolean().openapi({ description: 'Whether it went into the review queue (or added weight to a near-duplicate item)' }),
  duplicate: z.boolean().openapi({ description: 'The id was stored before; these are the stored scores' }),
});

export const ingestResultSchema = z
  .object({
    accepted: z.number().openapi({ description: 'Predictions stored by this batch' }),
    duplicates: z.number().openapi({ description: 'Ids stored before: nothing changed for them' }),
    results: z.array(predictionResultSchema).openapi({ description: 'One per prediction, in the batch order' }),
  })
  .openapi('IngestResult');
