import type { SequentialStatus } from './sequential/sequential.types.js';
import type { PerformanceEstimate } from './performance/performance.types.js';
import type { DriftStatus } from '../db/schema.js';

/** The five drift tests of DESIGN's table, by their API names. */
export type DriftTestName = 'ood_rate' | 'embedding_mmd' | 'prediction_shift' | 'confidence_shift' | 'labeled_accuracy';

export const DRIFT_TEST_NAMES: readonly DriftTestName[] = ['ood_rate', 'embedding_mmd', 'prediction_shift', 'confidence_shift', 'labeled_accuracy'];

/** Numbers and labels a test reports beside its statistic, for the report and for people. */
export type TestDetails = Record<string, number | string | boolean | null>;

interface TestOutcomeBase {
  name: DriftTestName;
  /** One sentence an ML owner can read. */
  summary: string;
  details: TestDetails;
}

/** A test that ran: its statistic, p-value, effect size, and whether it signals drift (significant and large enough). */
export interface TestRan extends TestOutcomeBase {
  status: 'ok' | 'drift';
  statistic: number;
  pValue: number;
  /** The effect size its gate compares (rate, distance, accuracy drop…). */
  effect: number;
  drift: boolean;
}

/** A test that could not run on the data at hand (too few points, no labels, no baseline). */
export interface TestSkipped extends TestOutcomeBase {
  status: 'insufficient_data';
  statistic: null;
  pValue: null;
  effect: null;
  drift: false;
}

export type DriftTestResult = TestRan | TestSkipped;


/** Predictions of the window re-measured against a newer reference (see DriftEvaluation.rescored). */
export interface RescoredWindow {
  version: number;
  since: string;
  predictions: number;
  oodAtIngestion: number;
  oodNow: number;
}

/** The drift verdict over the current count window. */
export interface DriftEvaluation {
  status: DriftStatus;
  /** The window's OOD rate. */
  score: number;
  threshold: number;
  alpha: number;
  window: { size: number; count: number; fromSeq: number | null; toSeq: number | null };
  tests: DriftTestResult[];
  /** The sequential detector on the stream of conformal p-values; its alarm also makes `status` drift. */
  sequential: SequentialStatus;
  /** Estimated accuracy of the window's forwarded top-1 predictions; null while the window is empty. */
  performance: PerformanceEstimate | null;
  /**
   * The window's predictions scored before the champion's promotion took labeled production
   * data into the reference, re-measured against it: how many, and how many were and are OOD.
   * The score and status count them as they are now. Null when no prediction needed it.
   */
  rescored: RescoredWindow | null;
  evaluatedAt: string;
  /** Milliseconds spent per stage: reading, reference sample, each test. */
  timingsMs: Record<string, number>;
}

/** One stored evaluation, for the history time series. */
export interface DriftSnapshot {
  id: number;
  at: string;
  toSeq: number | null;
  count: number;
  score: number;
  threshold: number;
  status: DriftStatus;
  tests: { name: DriftTestName; status: DriftTestResult['status']; statistic: number | null; pValue: number | null; drift: boolean }[];
  performance: PerformanceEstimate | null;
}

/** Where one webhook delivery of an event stands. */
export interface DeliverySummary {
  url: string;
  status: 'pending' | 'delivered' | 'failed' | 'canceled';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

/** What raised a drift event: the OOD rate (window rule or sequential detector), or the estimated accuracy. */
export type DriftEventKind = 'ood' | 'performance';

/** `critical` when accuracy is confirmed to drop; `warning` for input drift that is not shown to hurt. */
export type DriftSeverity = 'critical' | 'warning';

/** A recorded drift event: drift passed the threshold, outside the cooldown. */
export interface DriftEvent {
  id: number;
  kind: DriftEventKind;
  severity: DriftSeverity;
  modelId: number;
  model: string;
  at: string;
  score: number;
  threshold: number;
  pValue: number;
  snapshotId: number;
  deliveries: DeliverySummary[];
}

/** Distributions behind the tests, for charts. */
export interface DriftDistributions {
  confidence: { edges: number[]; production: number[]; baseline: number[]; baselineSource: string | null };
  concepts: { concept: string; production: number; training: number }[];
}

/** `GET /v1/models/{model}/drift`: the current evaluation with history and recent events. */
export interface DriftOverview extends DriftEvaluation {
  model: string;
  history: DriftSnapshot[];
  events: DriftEvent[];
}
