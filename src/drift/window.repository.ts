import type { Db } from '../db/database.js';

/** The per-prediction numbers the drift tests need, without the embedding. */
export interface WindowRow {
  seq: number;
  is_ood: number;
  predicted: string;
  top_score: number;
  disagreement: number;
  uncertainty: number;
  priority: number;
}

/** The model's last `size` predictions, newest first, streamed (one row in memory at a time). */
export function streamWindow(db: Db, modelId: number, size: number): AsyncIterableIterator<WindowRow> {
  return db
    .selectFrom('predictions')
    .select(['seq', 'is_ood', 'predicted', 'top_score', 'disagreement', 'uncertainty', 'priority'])
    .where('model_id', '=', modelId)
    .orderBy('seq', 'desc')
    .limit(size)
    .stream();
}


/** Seq and top-1 score of the model's first `limit` predictions: the reference period. */
export function firstPredictions(db: Db, modelId: number, limit: number): Promise<{ seq: number; top_score: number }[]> {
  return db.selectFrom('predictions').select(['seq', 'top_score']).where('model_id', '=', modelId).orderBy('seq').limit(limit).execute();
}

/** A recent out-of-distribution prediction, for clustering into new regions. */
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

/** Predictions of the model by id, in any order (the examples of drift events' regions). */
export function listPredictionsByIds(db: Db, modelId: number, ids: string[]): Promise<OodRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('predictions')
    .select(['seq', 'id', 'embedding', 'predicted', 'ood_distance', 'ood_score', 'input_json', 'timestamp'])
    .where('model_id', '=', modelId)
    .where('id', 'in', ids)
    .execute();
}

