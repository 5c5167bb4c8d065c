import type { Generated } from 'kysely';

export interface ApiKeyTable {
  id: Generated<number>;
  name: string;
  role: string;
  key_hash: string;
  key_prefix: string;
  created_at: string;
  revoked_at: string | null;
}

export interface ModelTable {
  id: Generated<number>;
  name: string;
  task: string;
  embedding_dim: number;
  encoder: string | null;
  metric: string;
  concepts_json: string;
  settings_json: string;
  created_at: string;
  updated_at: string;
}

export interface ExampleTable {
  /** Monotonic row id; also the example's label in the HNSW reference index. */
  seq: Generated<number>;
  model_id: number;
  id: string;
  split: string;
  /** `original` for uploaded examples, `production` for labeled production items. */
  source: string;
  concepts_json: string;
  embedding: Buffer;
  input_json: string | null;
  metadata_json: string | null;
  created_at: string;
}

export interface PredictionTable {
  seq: Generated<number>;
  model_id: number;
  id: string;
  embedding: Buffer;
  scores_json: string;
  predicted: string;
  top_score: number;
  encoder: string | null;
  model_version: string | null;
  timestamp: string;
  input_json: string | null;
  metadata_json: string | null;
  ood_distance: number;
  ood_score: number;
  is_ood: number;
  uncertainty: number;
  least_confidence: number;
  entropy: number;
  knn_concept: string | null;
  knn_agreement: number;
  disagreement: number;
  priority: number;
  neighbors_json: string;
  created_at: string;
}

export interface Database {
  api_keys: ApiKeyTable;
  models: ModelTable;
  examples: ExampleTable;
  predictions: PredictionTable;
}
