import type { Generated } from 'kysely';
import type { Metric } from '../vectors/vector-index.js';

// The closed sets stored in text columns. Domain modules re-export these, so a row mapper
// reads a typed value instead of casting a string.

/** What a key may do: `admin` may do everything. */
export type Role = 'ingest' | 'label' | 'admin';
export type Task = 'multiclass' | 'multilabel';
export type Split = 'train' | 'eval';
/** `original` for uploaded examples, `production` for labeled production items. */
export type ExampleSource = 'original' | 'production';
/** Where an item stands in the review queue. */
export type ItemStatus =
  /** Still has a free slot: fewer labels plus live leases than `labels_needed`. */
  | 'pending'
  /** Every remaining slot is leased to a labeler. */
  | 'leased'
  /** Enough labels; the majority named concepts. */
  | 'labeled'
  /** Enough labels; the majority said the model should never get this input. */
  | 'out_of_scope';
export type DriftStatus = 'ok' | 'drift';
/** `failed`: attempts exhausted; `canceled`: the webhook was removed from the settings. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'canceled';
type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
export type VersionStatus = 'champion' | 'challenger' | 'retired';

export interface ApiKeyTable {
  id: Generated<number>;
  name: string;
  role: Role;
  key_hash: string;
  key_prefix: string;
  created_at: string;
  revoked_at: string | null;
}

/** One-way facts about the server (`keys_created`: a key existed once, so open mode is over). */
interface AuthMarkerTable {
  name: string;
  created_at: string;
}

/** A browser session: the hash of its cookie, the hash of the key that signed in, and its CSRF token. */
export interface SessionTable {
  id_hash: string;
  key_hash: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface ModelTable {
  id: Generated<number>;
  name: string;
  task: Task;
  embedding_dim: number;
  encoder: string | null;
  metric: Metric;
  concepts_json: string;
  settings_json: string;
  created_at: string;
  updated_at: string;
  /** Raised by every update: how instances tell that their cached model is stale. */
  revision: Generated<number>;
  /** Secret HMAC key of production items' eval split (migration 0032; every model has one since 0033). */
  split_key: string | null;
}

export interface ExampleTable {
  /** Monotonic row id; also the example's label in the HNSW reference index. */
  seq: Generated<number>;
  model_id: number;
  id: string;
  split: Split;
  source: ExampleSource;
  concepts_json: string;
  embedding: Buffer;
  input_json: string | null;
  metadata_json: string | null;
  /** The app's forwarded scores on this input, when sent: calibration data for the accuracy estimate. */
  scores_json: string | null;
  created_at: string;
  /** Top-1 of `scores_json`: the confidence_shift reference reads it. */
  top_score: number | null;
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

export interface QueueItemTable {
  id: Generated<number>;
  model_id: number;
  prediction_seq: number;
  prediction_id: string;
  status: ItemStatus;
  /** Priority of the prediction that opened the item. */
  base_priority: number;
  /** Base priority raised by recurrence and drift; what the claim orders by. */
  priority: number;
  /** 1 + the near-duplicates merged into this item. */
  weight: Generated<number>;
  reasons_json: string;
  /** Priority added while drift favours this item; 0 when not boosted. */
  drift_boost: Generated<number>;
  split: Split;
  labels_needed: number;
  labels_count: Generated<number>;
  out_of_scope_count: Generated<number>;
  leases_count: Generated<number>;
  created_at: string;
  last_seen_at: string;
  labeled_at: string | null;
  /** Region of the latest clustering that holds the item's prediction (null outside the regions window). */
  region: number | null;
}

/** Item counts per model, kept by triggers: `status:<status>` and `open:<reason>` (pending or leased items). */
interface QueueCountTable {
  model_id: number;
  name: string;
  n: number;
}

interface QueueLeaseTable {
  id: Generated<number>;
  model_id: number;
  item_id: number;
  labeler: string;
  expires_at: string;
  created_at: string;
}

export interface QueueLabelTable {
  id: Generated<number>;
  model_id: number;
  item_id: number;
  labeler: string;
  concepts_json: string;
  new_concepts_json: string;
  out_of_scope: number;
  /** 1 when the labeler held a lease on the item; 0 for a free pending item labeled alongside. */
  claimed: Generated<number>;
  /** 1 when given by confirming a grid of similar items (bulk), not by answering the item itself. */
  bulk: Generated<number>;
  created_at: string;
}

interface QueueSkipTable {
  item_id: number;
  labeler: string;
  model_id: number;
  created_at: string;
}

export interface DriftSnapshotTable {
  id: Generated<number>;
  model_id: number;
  created_at: string;
  /** First and last prediction seq of the window; null while the window is empty. */
  from_seq: number | null;
  to_seq: number | null;
  window_size: number;
  window_count: number;
  /** The window's OOD rate. */
  score: number;
  threshold: number;
  status: DriftStatus;
  /** Per test: name, status, statistic, pValue, drift. */
  tests_json: string;
  /** The evaluation's `performance` object; null when there was none. */
  performance_json: string | null;
}

export interface DriftEventTable {
  id: Generated<number>;
  model_id: number;
  snapshot_id: number;
  created_at: string;
  score: number;
  threshold: number;
  p_value: number;
  /** `ood` (the OOD rate: window rule or sequential detector) or `performance` (estimated accuracy drop). */
  kind: Generated<string>;
  /** `critical` (accuracy confirmed to drop) or `warning` (input drift, accuracy not shown to drop). */
  severity: Generated<string>;
  /** The webhook body, stored so every retry sends (and signs) the same bytes. */
  payload_json: string;
}

/** The sequential detector of a model's conformal p-value stream (one row per model). */
export interface DriftSequentialTable {
  model_id: number;
  /** The reference (train split, calibration) the state was built against; another key resets it. */
  reference_key: string;
  statistic: number;
  /** Predictions taken in since the last reset. */
  observed: number;
  last_seq: number | null;
  started_at: string;
  alarm_at: string | null;
  alarm_seq: number | null;
  alarm_statistic: number | null;
  updated_at: string;
}

export interface WebhookDeliveryTable {
  id: Generated<number>;
  model_id: number;
  event_type: string;
  event_id: number;
  url: string;
  body: string;
  status: DeliveryStatus;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookAttemptTable {
  id: Generated<number>;
  delivery_id: number;
  attempt: number;
  attempted_at: string;
  ok: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface JobTable {
  id: string;
  model_id: number;
  type: string;
  status: JobStatus;
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
  /** The instance running the job (`running` only). */
  owner: string | null;
  /** Until when the owner's claim holds unless renewed; another instance takes over after it. */
  lease_expires_at: string | null;
}

export interface ModelVersionTable {
  id: Generated<number>;
  model_id: number;
  /** 1, 2, … per model. */
  version: number;
  status: VersionStatus;
  job_id: string | null;
  task: Task;
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

/** A version's TF.js artifact (its files are a per-instance copy of this row). */
export interface VersionArtifactTable {
  version_id: number;
  model_json: string;
  weights: Buffer;
}

/** The newest published snapshot of one derived index of a model (owned by `snapshots/`). */
export interface IndexSnapshotTable {
  model_id: number;
  kind: string;
  high_water: number;
  files_json: string;
  created_at: string;
}

/** One part of one snapshot file's bytes. */
export interface IndexSnapshotPartTable {
  model_id: number;
  kind: string;
  file: string;
  part: number;
  data: Buffer;
}

/** One per model: the last clustering's region ids and centres, and the highest id issued (migration 0031). */
export interface RegionIdsTable {
  model_id: number;
  last_id: number;
  ids_json: string;
  centroids: Buffer;
  dim: number;
  updated_at: string;
}

export interface Database {
  api_keys: ApiKeyTable;
  auth_markers: AuthMarkerTable;
  sessions: SessionTable;
  models: ModelTable;
  examples: ExampleTable;
  predictions: PredictionTable;
  queue_items: QueueItemTable;
  queue_counts: QueueCountTable;
  /** Count changes not yet added into queue_counts (PostgreSQL; migration 0023). */
  queue_count_deltas: QueueCountTable;
  queue_leases: QueueLeaseTable;
  queue_labels: QueueLabelTable;
  queue_skips: QueueSkipTable;
  drift_snapshots: DriftSnapshotTable;
  drift_events: DriftEventTable;
  drift_sequential: DriftSequentialTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  jobs: JobTable;
  model_versions: ModelVersionTable;
  version_artifacts: VersionArtifactTable;
  index_snapshots: IndexSnapshotTable;
  index_snapshot_parts: IndexSnapshotPartTable;
  region_ids: RegionIdsTable;
}
