import type { PredictionSignals } from './performance.types.js';

/** The stored columns of a scored prediction that the estimator reads. */
export interface SignalColumns {
  top_score: number;
  is_ood: number;
  disagreement: number;
  uncertainty: number;
  priority: number;
}

/** A stored prediction's signals; `uncertain` as the queue decides it. */
export function signalsOf(row: SignalColumns, uncertaintyThreshold: number): PredictionSignals {
  return {
    topScore: row.top_score,
    knnAgrees: row.disagreement === 0,
    isOod: row.is_ood === 1,
    uncertain: row.uncertainty >= uncertaintyThreshold,
    priority: row.priority,
  };
}
