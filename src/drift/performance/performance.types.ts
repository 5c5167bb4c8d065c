/** What the estimator knows about one forwarded prediction, without its label. */
export interface PredictionSignals {
  /** Top-1 score of the app's forwarded scores. */
  topScore: number;
  /** The k nearest training neighbours vote for the predicted concept (true when there is no vote). */
  knnAgrees: boolean;
  /** The conformal OOD score passed `ood.quantile`. */
  isOod: boolean;
  /** The scorer's uncertainty passed the queue's threshold. */
  uncertain: boolean;
  /** The scorer's review priority in [0, 1], which the queue hands out highest first. */
  priority: number;
}

/** A calibration example: the app's top-1 score on a labeled input, and whether top-1 was right. */
export interface CalibrationPair {
  topScore: number;
  knnAgrees: boolean;
  correct: boolean;
}

/** A labeled production item: its signals, and whether the forwarded top-1 was right. */
export interface LabeledSignals extends PredictionSignals {
  correct: boolean;
}

/** Accuracy estimate of a window, DESIGN's `performance` object plus the parts behind it. */
export interface PerformanceEstimate {
  estimatedAccuracy: number;
  /** 90% interval, clipped to [0, 1]. */
  interval: [number, number];
  method: string;
  labeled: { n: number; accuracy: number } | null;
  /** Accuracy expected from the calibration (eval) data. */
  reference: number | null;
}

/** Where the estimator's calibration comes from: labeled pairs, or only an accuracy and a mean score. */
export type CalibrationSource =
  | { kind: 'pairs'; source: string; pairs: CalibrationPair[] }
  | { kind: 'summary'; source: string; accuracy: number; meanScore: number; size: number };
