import { binomialCdf, wilsonInterval } from '../stats/index.js';
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

/**
 * labeled_accuracy: accuracy on labeled production items against eval accuracy. Drift when
 * the exact one-sided binomial p-value is below alpha and the drop is at least `minDrop`; the
 * one-sided Wilson bound is reported beside it. (The score test the Wilson interval inverts
 * alarmed at 7.7% for alpha 5% on 200 labels: test/drift/false-alarms.test.ts.)
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
  // Exact one-sided binomial: the normal approximation alarmed above alpha on small label counts.
  const pValue = binomialCdf(correct, total, evalAccuracy);
  const drop = evalAccuracy - accuracy;
  const drift = pValue < alpha && drop >= minDrop;
  return ran('labeled_accuracy', {
    statistic: accuracy,
    pValue,
    effect: drop,
    drift,
    summary: `Accuracy on ${total} labeled production items is ${percent(accuracy)} (one-sided ${percent(1 - alpha, 0)} Wilson bound ${percent(interval.upper)}) vs ${percent(evalAccuracy)} on eval data (${formatP(pValue)}).`,
    details: { correct, total, lower: interval.lower, upper: interval.upper, evalAccuracy },
  });
}
