import type { Task } from '../models/model.js';
import type { LabeledRows } from './training-data.js';

export interface WeightSettings {
  classWeights: 'balanced' | 'none';
  productionWeight: number;
}

/** Per-row weights for the loss, plus what produced them (recorded in the lineage). */
export interface RowWeights {
  weights: Float32Array;
  /** Multiclass: the weight of each concept's rows. Multilabel: the weight of each concept's positive term. */
  perConcept: number[];
  /** Sigmoid heads only: passed to the trainer as the positive-term weights. */
  positiveWeights?: Float32Array;
}

const MAX_POSITIVE_WEIGHT = 100;

/**
 * Balanced class weights (sklearn's n / (concepts present × count), within each source:
 * original examples and labeled production items) times the production weight for labeled
 * production rows. Multilabel weights each concept's positive term by
 * negatives / positives instead, since a row carries several concepts.
 */
export function rowWeights(task: Task, rows: LabeledRows, concepts: number, settings: WeightSettings): RowWeights {
  const counts = new Array<number>(concepts).fill(0);
  for (let i = 0; i < rows.n; i++) for (let k = 0; k < concepts; k++) counts[k]! += rows.y[i * concepts + k]!;
  const balanced = settings.classWeights === 'balanced';
  const weights = new Float32Array(rows.n);
  // A production item stands for its near-duplicates too: each doubling of them adds one unit,
  // so a recurring pattern counts more without one photo seen 500 times swamping the rest.
  const productionFactor = (i: number) => (rows.production[i] === 1 ? settings.productionWeight * (1 + Math.log2(Math.max(1, rows.recurrence?.[i] ?? 1))) : 1);

  if (task === 'multiclass') {
    const conceptOf = (i: number) => {
      let k = 0;
      while (k < concepts - 1 && rows.y[i * concepts + k] !== 1) k++;
      return k;
    };
    // Balanced within each source (original examples, labeled production items), not across
    // them: a concept that only production has (a proposed one that just joined) would otherwise
    // carry a whole class's weight on a few dozen production rows, and since those are where the
    // drifted inputs are, the head answers it for a large share of them (measured: a new concept
    // with 45 labels answered for 28% of the phone-like eval, its true share 10%).
    const bySource = [new Array<number>(concepts).fill(0), new Array<number>(concepts).fill(0)];
    for (let i = 0; i < rows.n; i++) bySource[rows.production[i] === 1 ? 1 : 0]![conceptOf(i)]! += 1;
    const classWeight = bySource.map((c) => {
      const n = c.reduce((a, b) => a + b, 0);
      const present = c.filter((x) => x > 0).length;
      return c.map((x) => (balanced && x > 0 ? n / (present * x) : 1));
    });
    const sum = new Array<number>(concepts).fill(0);
    for (let i = 0; i < rows.n; i++) {
      const k = conceptOf(i);
      const w = classWeight[rows.production[i] === 1 ? 1 : 0]![k]!;
      sum[k]! += w;
      weights[i] = w * productionFactor(i);
    }
    // Recorded in the lineage: each concept's class weight, averaged over its rows of both sources.
    const perConcept = counts.map((c, k) => (c > 0 ? sum[k]! / c : 1));
    return { weights, perConcept };
  }
  const perConcept = counts.map((positives) => {
    if (!balanced || positives === 0) return 1;
    return Math.min(MAX_POSITIVE_WEIGHT, Math.max(1 / MAX_POSITIVE_WEIGHT, (rows.n - positives) / positives));
  });
  for (let i = 0; i < rows.n; i++) weights[i] = productionFactor(i);
  return { weights, perConcept, positiveWeights: Float32Array.from(perConcept) };
}
