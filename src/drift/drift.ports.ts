// What drift reads of tables other features own, declared here and implemented by the owners
// (predictions/, examples/) in the composition root.

/** The per-prediction numbers the drift tests need, without the embedding. */
interface WindowRow {
  seq: number;
  is_ood: number;
  predicted: string;
  top_score: number;
  disagreement: number;
  uncertainty: number;
  priority: number;
  /** When it was stored (and scored): a promotion after it changed the reference it was scored against. */
  created_at: string;
}

/** A prediction as a drift event's new region shows it. */
export interface OodRow {
  seq: number;
  id: string;
  embedding: Buffer;
  predicted: string;
  ood_distance: number;
  ood_score: number;
  input_json: string | null;
  timestamp: string;
}

/** The production predictions drift compares with the reference. */
export interface PredictionWindowReader {
  /** The model's last `size` predictions, newest first, streamed (a page at a time, with turns of the event loop between pages). */
  streamWindow(modelId: number, size: number): AsyncIterableIterator<WindowRow>;
  /** Seq and top-1 score of the model's first `limit` predictions: the reference period. */
  firstPredictions(modelId: number, limit: number): Promise<{ seq: number; top_score: number }[]>;
  /** The model's predictions with the given ids, in any order. */
  predictionsByIds(modelId: number, ids: readonly string[]): Promise<OodRow[]>;
  predictionEmbeddingsBySeq(modelId: number, seqs: number[]): Promise<Map<number, Buffer>>;
}

/** The train split: the reference distribution of the drift tests. */
export interface TrainSplitReader {
  /** Count and highest seq of the train split: changes whenever the training distribution does. */
  trainVersion(modelId: number): Promise<{ count: number; maxSeq: number }>;
  listTrainIds(modelId: number, afterSeq: number, limit: number): Promise<{ seq: number; id: string; concepts_json: string }[]>;
  exampleEmbeddingsBySeq(modelId: number, seqs: number[]): Promise<Map<number, Buffer>>;
}

/** Eval examples sent with the app's own scores: the performance estimate's best calibration. */
export interface ScoredEvalReader {
  /** Newest eval-split examples sent with scores, at most `limit`. */
  listScoredEvalExamples(modelId: number, limit: number): Promise<{ seq: number; concepts_json: string; scores_json: string; embedding: Buffer }[]>;
  /** How many eval examples carry scores, and the newest seq among them: changes whenever one is added. */
  scoredEvalVersion(modelId: number): Promise<{ count: number; maxSeq: number | null }>;
}

/** Everything drift reads of other features' tables. */
export interface DriftReads {
  predictions: PredictionWindowReader;
  examples: TrainSplitReader & ScoredEvalReader;
}
