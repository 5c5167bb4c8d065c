import { expect } from 'vitest';
import type { ConceptScores } from '../../../src/training/metrics/classification.js';

// sklearn computes F1 as 2PR/(P+R) and we as 2tp/(2tp+fp+fn): equal up to the last bits.
export const DIGITS = 12;

export function expectConceptsClose(actual: readonly ConceptScores[], expected: readonly ConceptScores[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, k) => {
    expect(actual[k].support, `support of concept ${k}`).toBe(e.support);
    expect(actual[k].precision, `precision of concept ${k}`).toBeCloseTo(e.precision, DIGITS);
    expect(actual[k].recall, `recall of concept ${k}`).toBeCloseTo(e.recall, DIGITS);
    expect(actual[k].f1, `f1 of concept ${k}`).toBeCloseTo(e.f1, DIGITS);
  });
}
