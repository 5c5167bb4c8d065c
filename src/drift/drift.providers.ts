import type { HealthReport } from '../health/health.types.js';
import type { Model } from '../models/model.js';
import type { RegionsSnapshot } from '../regions/regions.types.js';
import type { CalibrationSource, LabeledSignals } from './performance/performance.types.js';

/** Labeled production items the model got right, and the champion's accuracy on eval data. */
interface LabeledAccuracy {
  production: { correct: number; total: number };
  evalAccuracy: number | undefined;
}

/** A trained version as the versions endpoint lists it (DESIGN: `GET /v1/models/{model}/versions`). */
export interface VersionSummary {
  version: string | number;
  status: string;
  createdAt: string;
  metrics?: Record<string, unknown> | undefined;
  trainedOn?: unknown;
  /** The promotion rule's verdict: which eval set it compared on, the paired test, and why. */
  decision?:
    | {
        promote: boolean;
        reason: string;
        evalSet: { name: string; size: number; digest: string } | null;
        test: string | null;
        /** Production-eval accuracy of this version and of the champion it was compared with, on the same items. */
        production: { size: number; accuracy: number; replaced: { version: number; accuracy: number } } | null;
      }
    | undefined;
}

/** The reference's last change that took in labeled production data: the champion's promotion. */
export interface ReferenceEpoch {
  /** The champion whose promotion changed the reference. */
  version: number;
  /** When it was promoted: predictions stored until then were scored against the reference before it. */
  since: string;
  /** Changes whenever the reference (train split or calibration) changes. */
  key: string;
}

/** What drift monitoring reads from other features; the composition root builds it from them. */
export interface DriftProviders {
  /** The app's own top-1 scores on the first `limit` examples sent with scores (examples); empty when none. */
  appReferenceScores(model: Model, limit: number): Promise<number[]>;
  /** The conformal calibration in force (the reference index): which set and how many points. */
  calibration(model: Model): Promise<{ source: 'eval' | 'leave-one-out'; size: number }>;
  /** Accuracy of labeled production items (the review queue); undefined when none exist. */
  labeledAccuracy(model: Model): Promise<LabeledAccuracy | undefined>;
  /** Eval data to calibrate the forwarded scores on (retraining supplies the champion's); undefined when none. */
  performanceCalibration(model: Model): Promise<CalibrationSource | undefined>;
  /** Labeled production items with their signals, newest last (the queue supplies this). */
  performanceLabels(model: Model): Promise<LabeledSignals[]>;
  /** The champion's promotion if it brought labeled production data into the reference (retraining, reference). */
  referenceEpoch(model: Model): Promise<ReferenceEpoch | undefined>;
  /** Conformal OOD scores of raw embeddings against the reference as it is now. */
  remeasure(model: Model, embeddings: ArrayLike<number>[]): Promise<number[]>;
  /** The model's versions for the report (retraining). */
  versions(model: Model): Promise<VersionSummary[]>;
  /** The training-data checklist for the report (training-data health). */
  trainingHealth(model: Model): Promise<HealthReport | undefined>;
  /** Regions of recent production data and their map, for the report (regions). */
  regions(model: Model): Promise<RegionsSnapshot>;
}
