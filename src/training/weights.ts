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
 * Balanced class weights (sklearn's n / (concepts present × count)) times the production
 * weight for labeled production rows. Multilabel weights each concept's positive term by
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
    const present = counts.filter((c) => c > 0).length;
    const perConcept = counts.map((c) => (balanced && c > 0 ? rows.n / (present * c) : 1));
    for (let i = 0; i < rows.n; i++) {
      let k = 0;
      while (k < concepts - 1 && rows.y[i * concepts + k] !== 1) k++;
      weights[i] = perConcept[k]! * productionFactor(i);
    }
    return { weights, perConcept };
  }
  const perConcept = counts.map((positives) => {
    if (!balanced || positives === 0) return 1;
    return Math.min(MAX_POSITIVE_WEIGHT, Math.max(1 / MAX_POSITIVE_WEIGHT, (rows.n - positives) / positives));
  });
  for (let i = 0; i < rows.n; i++) weights[i] = productionFactor(i);
  return { weights, perConcept, positiveWeights: Float32Array.from(perConcept) };
}
