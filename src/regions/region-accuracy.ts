/** What the label-free estimate reads from a prediction. */
export interface PredictionSignals {
  topScore: number;
  /** 1 when the k nearest training neighbours vote for another concept. */
  disagreement: number;
  /** Share of the neighbours voting for the k-NN concept. */
  knnShare: number;
}

/**
 * Probability that a forwarded top-1 prediction is right, without a label: the model's own
 * confidence, discounted by the share of training neighbours that vote for another concept.
 * The one place to swap in a better per-prediction estimate.
 */
export function estimatedCorrect(p: PredictionSignals): number {
  return p.disagreement ? p.topScore * (1 - p.knnShare) : p.topScore;
}

/** Pseudo-count of the label-free estimate when labels are blended in. */
const PRIOR_WEIGHT = 10;

/**
 * A region's accuracy: the mean label-free estimate, pulled toward the labeled accuracy as
 * labels arrive (a Beta-style blend with the estimate worth PRIOR_WEIGHT labels).
 */
export function regionAccuracy(estimates: number[], labeled: { correct: number; total: number }): number {
  const prior = estimates.length > 0 ? estimates.reduce((s, x) => s + x, 0) / estimates.length : 0.5;
  if (labeled.total === 0) return prior;
  return (prior * PRIOR_WEIGHT + labeled.correct) / (PRIOR_WEIGHT + labeled.total);
}

/**
 * How much a region deserves labels: over-representation against training (production share
 * over training share, both smoothed by one point so an empty side stays finite) times the
 * estimated error.
 */
export function regionScore(r: { size: number; windowCount: number; trainingCount: number; trainingTotal: number; estimatedAccuracy: number }): number {
  const share = (r.size + 1) / (r.windowCount + 1);
  const trainingShare = (r.trainingCount + 1) / (r.trainingTotal + 1);
  return (share / trainingShare) * (1 - r.estimatedAccuracy);
}
