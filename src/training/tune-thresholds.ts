import type { Task } from '../models/model.js';
import { abstainThreshold, tuneF1Thresholds, type AbstainPoint } from './metrics/thresholds.js';
import { DEFAULT_THRESHOLD } from './metrics/thresholds.js';
import { classIndexes, toMatrix } from './evaluate.js';
import type { LabeledRows } from './training-data.js';

/** A version's operating point: an abstain threshold (multiclass) or a threshold per concept (multilabel). */
export type Thresholds =
  | { kind: 'multiclass'; targetPrecision: number; abstain: AbstainPoint; tunedOn: number; untuned?: string }
  | { kind: 'multilabel'; perConcept: Record<string, number>; tunedOn: number; untuned?: string };

/** How thresholds are tuned (the `retrain` settings of the same names). */
export interface TuningSettings {
  targetPrecision: number;
  /** Fewer validation rows than this: no tuning, the defaults hold. */
  minThresholdRows: number;
  /** Multilabel: pseudo-rows at 0.5 that each tuned threshold is shrunk toward. */
  thresholdPriorRows: number;
}

/**
 * Tunes thresholds on held-out rows: per concept the middle of the best-F1 interval, shrunk
 * toward 0.5 (multilabel), or the lowest top-1 score whose answers reach `targetPrecision`
 * (multiclass). With fewer than `minThresholdRows` rows the defaults hold (0.5 per concept;
 * answer everything) and `untuned` says why.
 */
export function tuneThresholds(task: Task, concepts: string[], probs: Float32Array, rows: LabeledRows, s: TuningSettings): Thresholds {
  const k = concepts.length;
  const untuned = rows.n < s.minThresholdRows ? `${rows.n} validation rows, fewer than retrain.minThresholdRows (${s.minThresholdRows})` : undefined;
  if (task === 'multiclass') {
    const abstain = untuned
      ? { threshold: 0, coverage: 1, precision: 0 }
      : abstainThreshold(classIndexes(rows, k), toMatrix(probs, rows.n, k), s.targetPrecision);
    return { kind: 'multiclass', targetPrecision: s.targetPrecision, abstain, tunedOn: untuned ? 0 : rows.n, ...(untuned ? { untuned } : {}) };
  }
  const tuned = untuned
    ? concepts.map(() => DEFAULT_THRESHOLD)
    : tuneF1Thresholds(toMatrix(rows.y, rows.n, k), toMatrix(probs, rows.n, k), s.thresholdPriorRows);
  return { kind: 'multilabel', perConcept: Object.fromEntries(concepts.map((c, i) => [c, tuned[i]!])), tunedOn: untuned ? 0 : rows.n, ...(untuned ? { untuned } : {}) };
}
