import type { HealthReport } from '../../health/health.types.js';
import type { DriftOverview } from '../drift.service.js';
import type { VersionSummary } from '../drift.providers.js';
import type { DriftDistributions } from '../drift.types.js';

/** An example input of a region, as the production app sent it. */
export interface RegionExample {
  predictionId: string;
  predicted: string;
  oodScore: number;
  timestamp: string;
  input: { url?: string; text?: string } | null;
}

/** A cluster of recent OOD predictions: production data with no training data near it. */
export interface NewRegion {
  id: number;
  size: number;
  /** Share of the clustered OOD predictions that fall in this region. */
  share: number;
  /** The concept the nearest training examples of the region's centre vote for. */
  nearestConcept: string | null;
  /** Distance from the region's centre to its nearest training example. */
  nearestDistance: number;
  /** Mean k-NN distance to training of the members (their OOD distance). */
  meanOodDistance: number;
  firstSeen: string;
  lastSeen: string;
  examples: RegionExample[];
}

export interface RegionsSection {
  /** Predictions looked back over, and the OOD ones among them that were clustered. */
  lookback: number;
  clustered: number;
  /** The OOD radius: the calibration distance at ood.quantile; also the linking distance. */
  radius: number | null;
  regions: NewRegion[];
  /** OOD predictions in no region of at least the minimum size. */
  scattered: number;
}

/** Everything the drift report shows; `?format=json` returns exactly this. */
export interface DriftReport {
  model: { name: string; task: string; metric: string; embeddingDim: number; encoder: string | null; concepts: number; quantile: number; maxAccuracyDrop: number };
  generatedAt: string;
  calibration: { source: 'eval' | 'leave-one-out'; size: number };
  drift: Omit<DriftOverview, 'assessment'>;
  distributions: DriftDistributions;
  newRegions: RegionsSection;
  versions: VersionSummary[];
  /** The training-data checklist; null when no health feature is plugged in. */
  health: HealthReport | null;
}
