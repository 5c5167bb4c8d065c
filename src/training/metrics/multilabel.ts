import { expectedCalibrationError } from './calibration.js';
import { conceptScores, macroF1 } from './concept-scores.js';
import type { ConceptScores } from './concept-scores.js';
import { assertMatrix } from './shape.js';

/** Evaluation of a multilabel classifier with one threshold per concept. */
export interface MultilabelMetrics {
  /** share of samples whose whole predicted concept set is exactly right */
  subsetAccuracy: number;
  macroF1: number;
  perConcept: ConceptScores[];
  /** calibration of each score as P(concept present), over all (sample, concept) pairs, 15 bins */
  ece: number;
}

/** Scores `probs[i][c] >= thresholds[c]` against 0/1 labels; ECE treats every (sample, concept) score as a probability of presence. */
export function multilabelMetrics(
  yTrue: readonly (readonly number[])[],
  probs: readonly (readonly number[])[],
  thresholds: readonly number[],
): MultilabelMetrics {
  const concepts = assertMatrix(probs, yTrue.length, 'probs');
  if (assertMatrix(yTrue, yTrue.length, 'yTrue') !== concepts) {
    throw new RangeError(`yTrue has ${yTrue[0].length} concepts, probs has ${concepts}`);
  }
  if (thresholds.length !== concepts) {
    throw new RangeError(`${thresholds.length} thresholds for ${concepts} concepts`);
  }

  const tp = new Array<number>(concepts).fill(0);
  const fp = new Array<number>(concepts).fill(0);
  const fn = new Array<number>(concepts).fill(0);
  const scores: number[] = [];
  const present: boolean[] = [];
  let exact = 0;

  yTrue.forEach((labels, i) => {
    let allRight = true;
    labels.forEach((label, c) => {
      if (label !== 0 && label !== 1) throw new RangeError(`yTrue[${i}][${c}] = ${label} is not 0 or 1`);
      const actual = label === 1;
      const predicted = probs[i][c] >= thresholds[c];
      if (predicted && actual) tp[c] += 1;
      else if (predicted) fp[c] += 1;
      else if (actual) fn[c] += 1;
      if (predicted !== actual) allRight = false;
      scores.push(probs[i][c]);
      present.push(actual);
    });
    if (allRight) exact += 1;
  });

  const perConcept = tp.map((t, c) => conceptScores(t, fp[c], fn[c]));
  return {
    subsetAccuracy: exact / yTrue.length,
    macroF1: macroF1(perConcept),
    perConcept,
    ece: expectedCalibrationError(scores, present),
  };
}
