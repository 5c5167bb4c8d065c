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

/** Unweighted mean of per-concept F1, zero-support concepts included (sklearn `average='macro'` with all `labels=`). */
export function macroF1(scores: readonly ConceptScores[]): number {
  if (scores.length === 0) return 0;
  return scores.reduce((sum, s) => sum + s.f1, 0) / scores.length;
}
