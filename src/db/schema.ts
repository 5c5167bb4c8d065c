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

export interface JobTable {
  id: string;
  model_id: number;
  type: string;
  /** queued | running | succeeded | failed | canceled */
  status: string;
  attempt: Generated<number>;
  /** The interrupted job this one retries. */
  retry_of: string | null;
  params_json: string;
  progress_json: string | null;
  result_json: string | null;
  error_json: string | null;
  cancel_requested: Generated<number>;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ModelVersionTable {
  id: Generated<number>;
  model_id: number;
  /** 1, 2, … per model. */
  version: number;
  /** champion | challenger | retired */
  status: string;
  job_id: string | null;
  task: string;
  concepts_json: string;
  backend: string;
  /** Relative to the data folder. */
  artifact_dir: string;
  metrics_json: string;
  thresholds_json: string;
  lineage_json: string;
  decision_json: string;
  /** Float32 top-1 scores on the eval data, for the drift confidence test. */
  eval_confidences: Buffer;
  eval_accuracy: number | null;
  /** When the training data was read: labels after it are new for this version. */
  data_as_of: string;
  duration_ms: number;
  created_at: string;
  promoted_at: string | null;
  retired_at: string | null;
}

export interface Database {
  api_keys: ApiKeyTable;
  models: ModelTable;
  examples: ExampleTable;
  predictions: PredictionTable;
  jobs: JobTable;
  model_versions: ModelVersionTable;
}
