import { assertMatrix } from './shape.js';
import { topOne } from './top-one.js';

/** Threshold used for a concept that has no positive example to tune on. */
export const DEFAULT_THRESHOLD = 0.5;

/** Where to stop answering, and what answering above it gives. */
export interface AbstainPoint {
  /** answer when top-1 confidence >= threshold, abstain below */
  threshold: number;
  /** share of samples answered */
  coverage: number;
  /** accuracy on the answered samples (0 when none is answered) */
  precision: number;
}

/** Per concept, the score threshold (predict when score >= it) maximizing F1; ties go to the higher threshold, 0.5 without positives. */
export function tuneF1Thresholds(yTrue01: readonly (readonly number[])[], probs: readonly (readonly number[])[]): number[] {
  const concepts = assertMatrix(probs, yTrue01.length, 'probs');
  if (assertMatrix(yTrue01, yTrue01.length, 'yTrue01') !== concepts) {
    throw new RangeError(`yTrue01 has ${yTrue01[0].length} concepts, probs has ${concepts}`);
  }
  return Array.from({ length: concepts }, (_, c) =>
    bestF1Threshold(
      yTrue01.map((row) => row[c] === 1),
      probs.map((row) => row[c]),
    ),
  );
}

function bestF1Threshold(positive: readonly boolean[], scores: readonly number[]): number {
  const positives = positive.filter(Boolean).length;
  if (positives === 0) return DEFAULT_THRESHOLD;

  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let best = { f1: -1, threshold: DEFAULT_THRESHOLD };
  let tp = 0;
  let fp = 0;
  // Walk the distinct scores from the top: the first threshold reaching the best F1 is the highest.
  order.forEach((i, rank) => {
    if (positive[i]) tp += 1;
    else fp += 1;
    const next = order[rank + 1];
    if (next !== undefined && scores[next] === scores[i]) return;
    // 2tp / (2tp + fp + fn) with fn = positives − tp; integer ratios make equal F1s compare equal.
    const f1 = (2 * tp) / (tp + fp + positives);
    if (f1 > best.f1) best = { f1, threshold: scores[i] };
  });
  return best.threshold;
}

/** Lowest top-1 confidence threshold whose answered samples reach `targetPrecision`: 0 if all samples already do, 1 if no threshold does. */
export function abstainThreshold(
  yTrue: readonly number[],
  probs: readonly (readonly number[])[],
  targetPrecision: number,
): AbstainPoint {
  assertMatrix(probs, yTrue.length, 'probs');
  if (!(targetPrecision >= 0 && targetPrecision <= 1)) {
    throw new RangeError(`targetPrecision ${targetPrecision} is outside [0, 1]`);
  }
  const n = yTrue.length;
  const samples = probs
    .map((row, i) => {
      const top = topOne(row);
      return { confidence: top.confidence, correct: top.index === yTrue[i] };
    })
    .sort((a, b) => a.confidence - b.confidence);

  // correctFrom[i]: correct samples among samples[i..], i.e. answered when abstaining below samples[i].
  const correctFrom = new Array<number>(n + 1).fill(0);
  for (let i = n - 1; i >= 0; i--) correctFrom[i] = correctFrom[i + 1] + (samples[i].correct ? 1 : 0);
  const pointAt = (threshold: number, from: number): AbstainPoint => {
    const answered = n - from;
    return { threshold, coverage: answered / n, precision: answered === 0 ? 0 : correctFrom[from] / answered };
  };

  const all = pointAt(0, 0);
  if (all.precision >= targetPrecision) return all;
  // Each distinct confidence, lowest first, is a candidate; samples below it are abstained on.
  for (let from = 1; from < n; from++) {
    if (samples[from].confidence === samples[from - 1].confidence) continue;
    const point = pointAt(samples[from].confidence, from);
    if (point.precision >= targetPrecision) return point;
  }
  // Impossible: report threshold 1 with what would still be answered at exactly 1.
  const firstAtOne = samples.findIndex((s) => s.confidence >= 1);
  return pointAt(1, firstAtOne === -1 ? n : firstAtOne);
}
