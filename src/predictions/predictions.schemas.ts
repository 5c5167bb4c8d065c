import { z } from '@hono/zod-openapi';
import { embedding, embeddingBase64, inputRef, metadata, oneEmbedding, oodResult, recordId } from '../http/common.schemas.js';
import { withFastPath } from '../http/validation.js';
import { decodeFloat32Base64, isFloat32Safe } from '../util/vectors.js';
import type { PredictionInput } from './prediction.js';

const predictionSchema = z
  .object({
    id: recordId.openapi({ description: 'Client-chosen id; sending it again changes nothing and counts as a duplicate' }),
    embedding: embedding.optional().openapi({ description: 'The input embedding from the model encoder (embeddingDim numbers); or embeddingBase64' }),
    embeddingBase64: embeddingBase64.optional(),
    scores: z.record(z.string(), z.number().min(0).max(1)).openapi({ example: { lager: 0.8, stout: 0.2 }, description: 'The app model score per concept id, as it answered in production' }),
    encoder: z.string().max(256).optional().openapi({ description: 'The encoder that made the embedding; must match the model encoder when set' }),
    modelVersion: z.string().max(256).optional().openapi({ description: 'The app model version that made the scores' }),
    timestamp: z.iso.datetime({ offset: true }).optional().openapi({ description: 'When the app made the prediction (ISO 8601 with offset); defaults to arrival' }),
    input: inputRef.optional().openapi({ description: 'Where the input can be seen (URL or text), for labelers' }),
    metadata: metadata.optional().openapi({ description: 'Anything the app wants to keep with the prediction' }),
  })
  .transform(oneEmbedding)
  .openapi('Prediction');

export const predictionsBatchSchema = withFastPath(
  z
    .object({ predictions: z.array(predictionSchema).openapi({ description: 'The batch: all stored, or none when one is invalid' }) })
    .openapi('PredictionsBatch', {
      example: {
        predictions: [
          { id: 'p1', embedding: [0.8, 0.2, 0.2], scores: { lager: 0.55, stout: 0.45 }, timestamp: '2026-11-30T12:00:00Z', input: { url: 'https://example.com/p1.jpg' }, metadata: { app: 'checkout' } },
        ],
      },
    }),
  plainBatch,
);

const PLAIN_KEYS = new Set(['id', 'embedding', 'embeddingBase64', 'scores']);

/**
 * What the schema makes of a batch whose predictions hold only an id, an embedding (either spelling) and scores,
 * each plainly valid (the bulk of production traffic); undefined for any other body, which the
 * schema itself parses, so every error and every other shape is zod's own. zod's object and
 * record parsing costs about 2.5 µs and 3.5 KB of garbage per prediction, most of it for the
 * ten score values' range checks.
 */
export function plainBatch(body: unknown): { predictions: PredictionInput[] } | undefined {
  if (!isPlainObject(body)) return undefined;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'predictions') return undefined;
  const predictions = body.predictions;
  if (!Array.isArray(predictions)) return undefined;
  const out = new Array<PredictionInput>(predictions.length);
  for (let i = 0; i < predictions.length; i++) {
    const p: unknown = predictions[i];
    if (!isPlainObject(p) || !Object.keys(p).every((k) => PLAIN_KEYS.has(k))) return undefined;
    const { id, scores } = p;
    if (typeof id !== 'string' || id.length < 1 || id.length > 256) return undefined;
    const embedding = plainEmbedding(p.embedding, p.embeddingBase64);
    if (!embedding) return undefined;
    if (!isPlainObject(scores) || !scoresInRange(scores)) return undefined;
    // The schema's output: its keys in the schema's order, the record copied key by key.
    out[i] = { id, embedding, scores: { ...scores } as Record<string, number> };
  }
  return { predictions: out };
}

/** The embedding of one of its two spellings, when exactly one is sent and plainly valid. */
function plainEmbedding(numbers: unknown, base64: unknown): number[] | undefined {
  if (numbers !== undefined) {
    if (base64 !== undefined || !Array.isArray(numbers) || numbers.length < 1 || numbers.length > 65_536 || !isFloat32Safe(numbers)) return undefined;
    return numbers as number[];
  }
  if (typeof base64 !== 'string') return undefined;
  const decoded = decodeFloat32Base64(base64);
  return decoded && isFloat32Safe(decoded) ? decoded : undefined;
}

function scoresInRange(scores: Record<string, unknown>): boolean {
  for (const key of Object.keys(scores)) {
    // An own `__proto__` key (JSON.parse makes one) is left to the schema, whichever way it takes it.
    if (key === '__proto__') return false;
    const v = scores[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) return false;
  }
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

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
