import type { Task } from '../models/model.js';
import { abstainThreshold, tuneF1Thresholds, type AbstainPoint } from './metrics/thresholds.js';
import { DEFAULT_THRESHOLD } from './metrics/thresholds.js';
import { classIndexes, toMatrix } from './evaluate.js';
import type { LabeledRows } from './training-data.js';

/** A version's operating point: an abstain threshold (multiclass) or a threshold per concept (multilabel). */
export type Thresholds =
  | { kind: 'multiclass'; targetPrecision: number; abstain: AbstainPoint; tunedOn: number }
  | { kind: 'multilabel'; perConcept: Record<string, number>; tunedOn: number };

/**
 * Tunes thresholds on held-out rows: per concept the F1-maximizing score (multilabel), or
 * the lowest top-1 score whose answers reach `targetPrecision` (multiclass). Without rows
 * the defaults hold (0.5 per concept; answer everything).
 */
export function tuneThresholds(task: Task, concepts: string[], probs: Float32Array, rows: LabeledRows, targetPrecision: number): Thresholds {
  const k = concepts.length;
  if (task === 'multiclass') {
    const abstain =
      rows.n === 0 ? { threshold: 0, coverage: 1, precision: 0 } : abstainThreshold(classIndexes(rows, k), toMatrix(probs, rows.n, k), targetPrecision);
    return { kind: 'multiclass', targetPrecision, abstain, tunedOn: rows.n };
  }
  const tuned = rows.n === 0 ? concepts.map(() => DEFAULT_THRESHOLD) : tuneF1Thresholds(toMatrix(rows.y, rows.n, k), toMatrix(probs, rows.n, k));
  return { kind: 'multilabel', perConcept: Object.fromEntries(concepts.map((c, i) => [c, tuned[i]!])), tunedOn: rows.n };
}
