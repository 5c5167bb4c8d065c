import type { HealthReport } from '../../health/health.types.js';
import type { RegionsSnapshot } from '../../regions/regions.types.js';
import type { DriftOverview } from '../drift.service.js';
import type { VersionSummary } from '../drift.providers.js';
import type { DriftDistributions } from '../drift.types.js';

/** Everything the drift report shows; `?format=json` returns exactly this. */
export interface DriftReport {
  model: { name: string; task: string; metric: string; embeddingDim: number; encoder: string | null; concepts: number; quantile: number; maxAccuracyDrop: number };
  generatedAt: string;
  calibration: { source: 'eval' | 'leave-one-out'; size: number };
  drift: Omit<DriftOverview, 'assessment'>;
  distributions: DriftDistributions;
  /** Regions of recent production data with their map; null when no regions feature is plugged in. */
  regions: RegionsSnapshot | null;
  versions: VersionSummary[];
  /** The training-data checklist; null when no health feature is plugged in. */
  health: HealthReport | null;
}
