import type { TrainSplitReader } from '../drift/drift.ports.js';

/** What regions read of a recent prediction. */
export interface RecentPredictionRow {
  seq: number;
  id: string;
  embedding: Buffer;
  top_score: number;
  disagreement: number;
  knn_agreement: number;
  is_ood: number;
  uncertainty: number;
  priority: number;
  input_json: string | null;
}

/** What regions read of other features' tables (implemented by predictions/ and examples/). */
export interface RegionsReads {
  predictions: {
    /** Highest prediction seq of the model, or 0. */
    latestSeq(modelId: number): Promise<number>;
    /** The model's last `limit` predictions (with seq below `beforeSeq`, if given), newest first. */
    listRecentPredictions(modelId: number, limit: number, beforeSeq?: number): Promise<RecentPredictionRow[]>;
  };
  examples: TrainSplitReader;
}

/** Region ids every instance on the database shares (src/regions/region-ids.repository.ts). */
export interface RegionIdsStore {
  /** Ids for a new clustering's centres, carried from the last clustering stored; stores these as the last. */
  carry(modelId: number, centroids: ArrayLike<number>[]): Promise<number[]>;
}
