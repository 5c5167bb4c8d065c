import { z } from '@hono/zod-openapi';
import { conceptId, embedding, embeddingBase64, inputRef, metadata, oneEmbedding, recordId } from '../http/common.schemas.js';

export const exampleSchema = z
  .object({
    id: recordId.openapi({ description: 'Client-chosen id; sending it again changes nothing and counts as a duplicate' }),
    embedding: embedding.optional().openapi({ description: 'The input embedding (embeddingDim numbers); or embeddingBase64' }),
    embeddingBase64: embeddingBase64.optional(),
    concepts: z.array(conceptId).max(1000).openapi({ description: 'Its concepts: exactly one (multiclass) or any number (multilabel), each once' }),
    split: z.enum(['train', 'eval']).optional().openapi({ description: 'train or eval; without it, eval with probability 0.2 by a hash of the id' }),
    scores: z
      .record(z.string(), z.number().min(0).max(1))
      .optional()
      .openapi({
        description:
          "The app's own scores on this input, as its production predictions carry them: eval examples sent with scores calibrate the estimated accuracy of production, and every example sent with scores is the reference confidence_shift compares the app's production scores with",
        example: { lager: 0.9, stout: 0.1 },
      }),
    input: inputRef.optional().openapi({ description: 'Where the input can be seen' }),
    metadata: metadata.optional().openapi({ description: 'Anything to keep with the example' }),
  })
  .transform(oneEmbedding)
  .openapi('Example');

export const examplesBatchSchema = z
  .object({ examples: z.array(exampleSchema).openapi({ description: 'The batch: all stored, or none when one is invalid' }) })
  .openapi('ExamplesBatch', {
    example: {
      examples: [
        { id: 'e1', embedding: [0.9, 0.1, 0.2], concepts: ['lager'], split: 'train', input: { url: 'https://example.com/e1.jpg' } },
        { id: 'e2', embedding: [0.1, 0.9, 0.3], concepts: ['stout'], split: 'train' },
        { id: 'e5', embedding: [0.88, 0.12, 0.22], concepts: ['lager'], split: 'eval', scores: { lager: 0.9, stout: 0.1 } },
      ],
    },
  });

export const examplesResultSchema = z
  .object({
    inserted: z.number().openapi({ description: 'Examples stored by this batch' }),
    duplicates: z.number().openapi({ description: 'Ids stored before: nothing changed for them' }),
    train: z.number().openapi({ description: 'Of the inserted, how many went to the train split' }),
    eval: z.number().openapi({ description: 'Of the inserted, how many went to the eval split' }),
  })
  .openapi('ExamplesResult');
