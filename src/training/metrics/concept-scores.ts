/** Precision, recall and F1 of one concept, with the number of true instances. */
export interface ConceptScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

// A ratio with an empty denominator is 0, as scikit-learn's zero_division=0.
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Scores one concept from its counts, with scikit-learn's `zero_division=0` convention. */
export function conceptScores(truePositives: number, falsePositives: number, falseNegatives: number): ConceptScores {
  const tp = truePositives;
  return {
    precision: ratio(tp, tp + falsePositives),
    recall: ratio(tp, tp + falseNegatives),
    // 2tp / (2tp + fp + fn) equals 2PR / (P + R) and is 0 whenever tp is 0.
    f1: ratio(2 * tp, 2 * tp + falsePositives + falseNegatives),
    support: tp + falseNegatives,
  };
}

/**
 * Unweighted mean of per-concept F1 over the concepts with support in the data (sklearn
 * `average='macro'` with `labels=` the concepts present in y_true). A concept absent from an
 * eval set has no F1 to measure: counting it as 0 made a version that learned a new concept
 * look worse on eval sets without it.
 */
export function macroF1(scores: readonly ConceptScores[]): number {
  const supported = scores.filter((s) => s.support > 0);
  if (supported.length === 0) return 0;
  return supported.reduce((sum, s) => sum + s.f1, 0) / supported.length;
}
