import type { Db } from '../db/database.js';

/** What a labeler sees of a claimed item: its item row joined with its prediction. */
export interface ClaimDetailRow {
  id: number;
  priority: number;
  weight: number;
  reasons_json: string;
  drift_boost: number;
  labels_needed: number;
  prediction_id: string;
  scores_json: string;
  predicted: string;
  input_json: string | null;
  metadata_json: string | null;
  timestamp: string;
  ood_distance: number;
  ood_score: number;
  is_ood: number;
  uncertainty: number;
  knn_concept: string | null;
  knn_agreement: number;
  neighbors_json: string;
}

export function listClaimDetails(db: Db, itemIds: number[]): Promise<ClaimDetailRow[]> {
  if (itemIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('queue_items as i')
    .innerJoin('predictions as p', 'p.seq', 'i.prediction_seq')
    .select([
      'i.id',
      'i.priority',
      'i.weight',
      'i.reasons_json',
      'i.drift_boost',
      'i.labels_needed',
      'i.prediction_id',
      'p.scores_json',
      'p.predicted',
      'p.input_json',
      'p.metadata_json',
      'p.timestamp',
      'p.ood_distance',
      'p.ood_score',
      'p.is_ood',
      'p.uncertainty',
      'p.knn_concept',
      'p.knn_agreement',
      'p.neighbors_json',
    ])
    .where('i.id', 'in', itemIds)
    .execute();
}

/** Training examples by seq: what a labeler sees of a neighbour. */
export function listExampleSummaries(db: Db, modelId: number, seqs: number[]): Promise<{ seq: number; id: string; concepts_json: string; input_json: string | null }[]> {
  if (seqs.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('examples')
    .select(['seq', 'id', 'concepts_json', 'input_json'])
    .where('model_id', '=', modelId)
    .where('seq', 'in', seqs)
    .execute();
}
