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

/** Thresholds t in (lo, hi] all give the same predictions (`score >= t`), and so the same F1. */
export interface F1Interval {
  lo: number;
  hi: number;
  f1: number;
}

/**
 * Per concept, the middle of the widest interval of thresholds reaching the best F1 (0.5 without
 * positives), shrunk toward 0.5 by `priorRows` pseudo-rows: with n = min(positives, negatives),
 * t = (n·mid + priorRows·0.5) / (n + priorRows). The middle, not an end: on cleanly separated
 * rows every threshold between the classes is optimal, and its ends are single scores that
 * fresh data crosses. The shrinkage keeps a handful of rows from moving the threshold far from
 * 0.5, the operating point the class-balanced training loss aims at.
 */
export function tuneF1Thresholds(yTrue01: readonly (readonly number[])[], probs: readonly (readonly number[])[], priorRows = 0): number[] {
  const concepts = assertMatrix(probs, yTrue01.length, 'probs');
  if (assertMatrix(yTrue01, yTrue01.length, 'yTrue01') !== concepts) {
    throw new RangeError(`yTrue01 has ${yTrue01[0].length} concepts, probs has ${concepts}`);
  }
  return Array.from({ length: concepts }, (_, c) => {
    const positive = yTrue01.map((row) => row[c] === 1);
    const interval = bestF1Interval(positive, probs.map((row) => row[c]));
    if (!interval) return DEFAULT_THRESHOLD;
    const positives = positive.filter(Boolean).length;
    const n = Math.min(positives, positive.length - positives);
    const mid = (interval.lo + interval.hi) / 2;
    return n + priorRows === 0 ? mid : (n * mid + priorRows * DEFAULT_THRESHOLD) / (n + priorRows);
  });
}

/** The widest of the best-F1 intervals (ties: the one whose middle is nearest 0.5), or undefined without positives. */
function bestF1Interval(positive: readonly boolean[], scores: readonly number[]): F1Interval | undefined {
  const runs = bestF1Intervals(positive, scores);
  const width = (r: F1Interval) => r.hi - r.lo;
  const off = (r: F1Interval) => Math.abs((r.lo + r.hi) / 2 - DEFAULT_THRESHOLD);
  return runs.reduce<F1Interval | undefined>((best, r) => (!best || width(r) > width(best) || (width(r) === width(best) && off(r) < off(best)) ? r : best), undefined);
}

/** Every maximal interval of thresholds reaching the best F1, highest first; none without positives. */
export function bestF1Intervals(positive: readonly boolean[], scores: readonly number[]): F1Interval[] {
  const positives = positive.filter(Boolean).length;
  if (positives === 0) return [];
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  // One step per distinct score, from the top: predicting `score >= t` for t in (next lower score, this score].
  const steps: F1Interval[] = [];
  let tp = 0;
  let fp = 0;
  order.forEach((i, rank) => {
    if (positive[i]) tp += 1;
    else fp += 1;
    const next = order[rank + 1];
    if (next !== undefined && scores[next] === scores[i]) return;
    // 2tp / (2tp + fp + fn) with fn = positives − tp; division is correctly rounded, so equal ratios compare equal.
    steps.push({ lo: next === undefined ? 0 : scores[next], hi: scores[i], f1: (2 * tp) / (tp + fp + positives) });
  });
  const best = steps.reduce((m, s) => Math.max(m, s.f1), 0);
  const runs: F1Interval[] = [];
  steps.forEach((s, j) => {
    if (s.f1 !== best) return;
    if (j > 0 && steps[j - 1].f1 === best) runs[runs.length - 1].lo = s.lo;
    else runs.push({ ...s });
  });
  return runs;
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
