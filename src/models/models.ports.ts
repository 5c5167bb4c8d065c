/** What models read of the data other features own (implemented by examples/ and predictions/). */
export interface ModelDataReads {
  examples: { countExamplesBySplit(modelId: number): Promise<{ train: number; eval: number }>; hasExamples(modelId: number): Promise<boolean> };
  predictions: { countPredictions(modelId: number): Promise<number>; hasPredictions(modelId: number): Promise<boolean> };
}
