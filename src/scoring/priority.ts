/** Weights of the three signals in a review priority. */
export interface PriorityWeights {
  ood: number;
  uncertainty: number;
  disagreement: number;
}

/** Signals of one prediction, each in [0, 1]. */
export interface PrioritySignals {
  oodScore: number;
  uncertainty: number;
  /** Share of neighbours voting against the prediction; 0 when they agree. */
  disagreement: number;
}

/** Weighted mean of the signals, in [0, 1]. */
export function priorityOf(s: PrioritySignals, w: PriorityWeights): number {
  const total = w.ood + w.uncertainty + w.disagreement;
  if (total <= 0) return 0;
  return (w.ood * s.oodScore + w.uncertainty * s.uncertainty + w.disagreement * s.disagreement) / total;
}
