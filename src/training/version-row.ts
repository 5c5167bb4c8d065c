import type { Task } from '../models/model.js';
import type { ModelVersion, TrainedOn, VersionDecision, VersionMetrics, VersionStatus } from './version.js';
import type { VersionMetaRow } from './versions.repository.js';
import type { Thresholds } from './tune-thresholds.js';

export function versionRowToVersion(row: VersionMetaRow): ModelVersion {
  return {
    id: row.id,
    modelId: row.model_id,
    version: row.version,
    status: row.status,
    jobId: row.job_id,
    task: row.task,
    concepts: JSON.parse(row.concepts_json) as string[],
    backend: row.backend,
    artifactDir: row.artifact_dir,
    metrics: JSON.parse(row.metrics_json) as VersionMetrics,
    thresholds: JSON.parse(row.thresholds_json) as Thresholds,
    trainedOn: JSON.parse(row.lineage_json) as TrainedOn,
    // Versions recorded before the first-champion rule have no evidence record.
    decision: { evidence: null, ...(JSON.parse(row.decision_json) as Omit<VersionDecision, 'evidence'>) },
    evalAccuracy: row.eval_accuracy,
    dataAsOf: row.data_as_of,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
    promotedAt: row.promoted_at,
    retiredAt: row.retired_at,
  };
}
