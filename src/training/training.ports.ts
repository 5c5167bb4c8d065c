import type { Split } from '../db/schema.js';

/** The uploaded examples retraining learns from (implemented by examples/). */
export interface OriginalExamplesReader {
  /** Every original (uploaded) example of a model, both splits, oldest first. */
  listOriginalExamples(modelId: number): Promise<{ id: string; split: Split; concepts_json: string; embedding: Buffer }[]>;
  /** Number of original train-split examples, to refuse a retrain with nothing to learn from. */
  countOriginalTrain(modelId: number): Promise<number>;
}
