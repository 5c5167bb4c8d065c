import type { DriftTestName, TestDetails, TestRan, TestSkipped } from '../drift.types.js';

/** A test that ran; `drift` is the caller's gate (significance and effect size). */
export function ran(name: DriftTestName, r: { statistic: number; pValue: number; effect: number; drift: boolean; summary: string; details: TestDetails }): TestRan {
  return { name, status: r.drift ? 'drift' : 'ok', ...r };
}

/** A test that could not run, and why. */
export function skipped(name: DriftTestName, summary: string, details: TestDetails = {}): TestSkipped {
  return { name, status: 'insufficient_data', statistic: null, pValue: null, effect: null, drift: false, summary, details };
}

/** p-values for people: "p < 0.001" rather than 1.2e-17. */
export function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

export function percent(x: number, digits = 1): string {
  return `${(100 * x).toFixed(digits)}%`;
}
