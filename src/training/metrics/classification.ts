// Entry point for evaluating a trained version; the parts live in their own files.
export { ECE_BINS, expectedCalibrationError } from './calibration.js';
export { conceptScores, macroF1 } from './concept-scores.js';
export type { ConceptScores } from './concept-scores.js';
export { multiclassMetrics } from './multiclass.js';
export type { MulticlassMetrics } from './multiclass.js';
export { multilabelMetrics } from './multilabel.js';
export type { MultilabelMetrics } from './multilabel.js';
export { topOne } from './top-one.js';
export type { TopOne } from './top-one.js';
