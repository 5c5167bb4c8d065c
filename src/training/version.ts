import type { EpochReport } from '../ml/classifier.js';
import type { Task } from '../models/model.js';
import type { EvalMetrics } from './evaluate.js';
import type { StoredPromotionDecision } from './promotion.js';
import type { Thresholds } from './tune-thresholds.js';
import type { VersionStatus } from '../db/schema.js';

export type { VersionStatus };

/** What a version scored, where, and how its training went. */
export interface VersionMetrics {
  clean: EvalMetrics | null;
  production: EvalMetrics | null;
  validation: EvalMetrics | null;
  training: { epochsRun: number; bestEpoch: number; stoppedEarly: boolean; batchSize: number; fitMs: number; history: EpochReport[] };
}

/** Lineage: exactly what a version was trained and evaluated on, and how. */
export interface TrainedOn {
  /** When the data was read; labels given after it are new for this version. */
  dataAsOf: string;
  original: { fit: number; validation: number; eval: number };
  production: { fit: number; validation: number; eval: number; skipped: number; itemIds: { train: string[]; eval: string[] } };
  labelIds: string[];
  concepts: string[];
  /** Concepts proposed by labelers that joined with this version. */
  addedConcepts: string[];
  backend: string;
  durationMs: number;
  jobId: string | null;
  settings: {
    hiddenUnits: number;
    epochs: number;
    batchSize: number;
    learningRate: number;
    patience: number;
    validationShare: number;
    productionWeight: number;
    classWeights: 'balanced' | 'none';
    seed: number;
  };
  /** The class (multiclass) or positive-term (multilabel) weight of each concept. */
  classWeights: Record<string, number>;
}

/** One way a version became champion. */
export interface Promotion {
  at: string;
  by: 'rule' | 'manual';
  /** The champion it replaced. */
  replaced: number | null;
}

/** The promotion rule's verdict at training time (as stored: it may predate the sign-flip test), and every promotion since. */
export interface VersionDecision extends StoredPromotionDecision {
  promotions: Promotion[];
}

/** A trained classifier of a model. */
export interface ModelVersion {
  id: number;
  modelId: number;
  version: number;
  status: VersionStatus;
  jobId: string | null;
  task: Task;
  concepts: string[];
  backend: string;
  /** Relative to the versions folder. */
  artifactDir: string;
  metrics: VersionMetrics;
  thresholds: Thresholds;
  trainedOn: TrainedOn;
  decision: VersionDecision;
  evalAccuracy: number | null;
  dataAsOf: string;
  durationMs: number;
  createdAt: string;
  promotedAt: string | null;
  retiredAt: string | null;
}
