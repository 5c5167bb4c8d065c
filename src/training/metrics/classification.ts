// Entry point for evaluating a trained version; the parts live in their own files.
export { expectedCalibrationError } from './calibration.js';
export type { ConceptScores } from './concept-scores.js';
export { multiclassMetrics } from './multiclass.js';
export { multilabelMetrics } from './multilabel.js';
export { topOne } from './top-one.js';
