import type { Split } from '../db/schema.js';

/** What the checklist reads of other features' tables (implemented by examples/ and predictions/). */
export interface HealthReads {
  examples: {
    /** One split's examples with seq in (afterSeq, maxSeq], oldest first, a page at a time. */
    listExamplesPage(modelId: number, split: Split, afterSeq: number, maxSeq: number, limit: number): Promise<{ seq: number; id: string; concepts_json: string; embedding: Buffer }[]>;
  };
  predictions: {
    /** Highest prediction seq of the model, or 0. */
    latestSeq(modelId: number): Promise<number>;
    /** Predictions with seq below `beforeSeq`, newest first, a page at a time. */
    listPredictionsPage(modelId: number, beforeSeq: number, limit: number): Promise<{ seq: number; id: string; embedding: Buffer }[]>;
  };
}
