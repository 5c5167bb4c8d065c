import { regularizedGammaQ, wilsonInterval } from '../stats/index.js';
import type { DriftTestResult } from '../drift.types.js';
import { formatP, percent, ran, skipped } from './outcome.js';

export interface LabeledAccuracyInput {
  /** Labeled production items and how many the model got right; undefined when no labels exist. */
  production: { correct: number; total: number } | undefined;
  /** Accuracy of the champion on eval data; undefined when unknown. */
  evalAccuracy: number | undefined;
  alpha: number;
  minLabeled: number;
  /** Smallest accuracy drop that counts as drift. */
  minDrop: number;
}

/** Standard normal CDF through the regularized gamma function: Φ(z) = Q(½, z²/2) / 2 for z ≤ 0. */
function normalCdf(z: number): number {
  const tail = 0.5 * regularizedGammaQ(0.5, (z * z) / 2);
  return z <= 0 ? tail : 1 - tail;
}

/**
 * labeled_accuracy: accuracy on labeled production items against eval accuracy. Drift when
 * the one-sided Wilson upper bound (level 1 − alpha) lies below eval accuracy and the drop is
 * at least `minDrop`. The p-value is the one-sided score test the Wilson interval inverts,
 * so "p < alpha" and "upper bound < eval accuracy" agree.
 */
export function labeledAccuracyTest(input: LabeledAccuracyInput): DriftTestResult {
  const { production, evalAccuracy, alpha, minLabeled, minDrop } = input;
  if (!production || production.total < minLabeled) {
    return skipped('labeled_accuracy', `Not enough data: ${production?.total ?? 0} labeled production items (needs ${minLabeled}).`, {
      labeled: production?.total ?? 0,
      minLabeled,
    });
  }
  if (evalAccuracy === undefined) return skipped('labeled_accuracy', 'Not enough data: no eval accuracy of the champion yet.', { labeled: production.total });
  const { correct, total } = production;
  const accuracy = correct / total;
  const interval = wilsonInterval(correct, total, 1 - 2 * alpha);
  const spread = Math.sqrt((evalAccuracy * (1 - evalAccuracy)) / total);
  const pValue = spread === 0 ? (accuracy < evalAccuracy ? 0 : 1) : normalCdf((accuracy - evalAccuracy) / spread);
  const drop = evalAccuracy - accuracy;
  const drift = interval.upper < evalAccuracy && drop >= minDrop;
  return ran('labeled_accuracy', {
    statistic: accuracy,
    pValue,
    effect: drop,
    drift,
    summary: `Accuracy on ${total} labeled production items is ${percent(accuracy)} (one-sided ${percent(1 - alpha, 0)} Wilson bound ${percent(interval.upper)}) vs ${percent(evalAccuracy)} on eval data (${formatP(pValue)}).`,
    details: { correct, total, lower: interval.lower, upper: interval.upper, evalAccuracy },
  });
}
