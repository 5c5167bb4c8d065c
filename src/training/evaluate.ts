import type { Task } from '../models/model.js';
import { multiclassMetrics, multilabelMetrics, topOne, type ConceptScores } from './metrics/classification.js';
import type { Thresholds } from './tune-thresholds.js';
import { classIndexes, toMatrix } from './score-matrix.js';
import type { LabeledRows } from './training-data.js';
import { own } from '../util/own.js';

/** Metrics of one version on one held-out set. */
export interface EvalMetrics {
  count: number;
  /** Multiclass: top-1 accuracy. Multilabel: exact-set accuracy at the tuned thresholds. */
  accuracy: number;
  macroF1: number;
  perConcept: Record<string, ConceptScores>;
  /** Multiclass: matrix[true][predicted] over `concepts`. Multilabel: [[tn, fp], [fn, tp]] per concept. */
  confusion: { concepts: string[]; matrix: number[][] } | { perConcept: Record<string, number[][]> };
  /** Expected calibration error (15 bins). */
  ece: number;
  /** Multiclass: what answering only above the abstain threshold gives on this set. */
  abstain?: { threshold: number; coverage: number; precision: number };
}

/** Evaluates probabilities on labeled rows; undefined when the set is empty. */
export function evaluate(task: Task, concepts: string[], probs: Float32Array, rows: LabeledRows, thresholds: Thresholds): EvalMetrics | undefined {
  if (rows.n === 0) return undefined;
  const k = concepts.length;
  const p = toMatrix(probs, rows.n, k);
  const byConcept = <T>(values: T[]) => Object.fromEntries(concepts.map((c, i) => [c, values[i]!]));
  if (task === 'multiclass') {
    const truth = classIndexes(rows, k);
    const m = multiclassMetrics(truth, p);
    const threshold = thresholds.kind === 'multiclass' ? thresholds.abstain.threshold : 0;
    const answered = p.map((row, i) => ({ top: topOne(row), truth: truth[i]! })).filter((a) => a.top.confidence >= threshold);
    return {
      count: rows.n,
      accuracy: m.accuracy,
      macroF1: m.macroF1,
      perConcept: byConcept(m.perConcept),
      confusion: { concepts, matrix: m.confusion },
      ece: m.ece,
      abstain: {
        threshold,
        coverage: answered.length / rows.n,
        precision: answered.length === 0 ? 0 : answered.filter((a) => a.top.index === a.truth).length / answered.length,
      },
    };
  }
  const truth = toMatrix(rows.y, rows.n, k);
  const cut = concepts.map((c) => (thresholds.kind === 'multilabel' ? (own(thresholds.perConcept, c) ?? 0.5) : 0.5));
  const m = multilabelMetrics(truth, p, cut);
  const cells = concepts.map((_, c) => {
    const cell = [
      [0, 0],
      [0, 0],
    ];
    truth.forEach((row, i) => (cell[row[c]!]![p[i]![c]! >= cut[c]! ? 1 : 0]! += 1));
    return cell;
  });
  return {
    count: rows.n,
    accuracy: m.subsetAccuracy,
    macroF1: m.macroF1,
    perConcept: byConcept(m.perConcept),
    confusion: { perConcept: byConcept(cells) },
    ece: m.ece,
  };
}

/** Top-1 score of each row: the confidence the drift monitor compares production with. */
export function topScores(probs: Float32Array, n: number, k: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.max(...probs.subarray(i * k, (i + 1) * k)));
}
