import type { Db } from '../db/database.js';

/** What models read of the data other features own (implemented by examples/ and predictions/). */
export interface ModelDataReads {
  examples: { countExamplesBySplit(modelId: number): Promise<{ train: number; eval: number }> };
  predictions: { countPredictions(modelId: number): Promise<number> };
  /** Whether the model has any example or prediction, read on `db` (the caller's transaction). */
  hasData(db: Db, modelId: number): Promise<boolean>;
}
