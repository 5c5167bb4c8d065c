import { expectedCalibrationError } from './calibration.js';
import { conceptScores, macroF1 } from './concept-scores.js';
import type { ConceptScores } from './concept-scores.js';
import { assertMatrix } from './shape.js';
import { topOne } from './top-one.js';

/** Evaluation of a multiclass classifier; concept k is column k of the probabilities. */
export interface MulticlassMetrics {
  accuracy: number;
  macroF1: number;
  perConcept: ConceptScores[];
  /** confusion[trueClass][predictedClass] */
  confusion: number[][];
  /** top-1 expected calibration error, 15 equal-width bins */
  ece: number;
}

/** Scores argmax predictions against true class indexes; every column counts as a concept, even with no support. */
export function multiclassMetrics(yTrue: readonly number[], probs: readonly (readonly number[])[]): MulticlassMetrics {
  const classes = assertMatrix(probs, yTrue.length, 'probs');
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const confidences: number[] = [];
  const correct: boolean[] = [];

  yTrue.forEach((actual, i) => {
    if (!Number.isInteger(actual) || actual < 0 || actual >= classes) {
      throw new RangeError(`yTrue[${i}] = ${actual} is not a class index below ${classes}`);
    }
    const top = topOne(probs[i]);
    confusion[actual][top.index] += 1;
    confidences.push(top.confidence);
    correct.push(top.index === actual);
  });

  const perConcept = confusion.map((row, k) => {
    const truePositives = row[k];
    const predicted = confusion.reduce((sum, r) => sum + r[k], 0);
    const actual = row.reduce((sum, c) => sum + c, 0);
    return conceptScores(truePositives, predicted - truePositives, actual - truePositives);
  });

  return {
    accuracy: correct.filter(Boolean).length / yTrue.length,
    macroF1: macroF1(perConcept),
    perConcept,
    confusion,
    ece: expectedCalibrationError(confidences, correct),
  };
}
