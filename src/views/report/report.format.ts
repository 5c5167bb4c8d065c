import type { DriftTestName } from '../../drift/drift.types.js';

/** What each test compares, in the words of DESIGN's table. */
export const TEST_INFO: Record<DriftTestName, { title: string; compares: string; method: string }> = {
  ood_rate: { title: 'OOD rate', compares: 'Share of out-of-distribution predictions vs the expected 1 − quantile', method: 'one-sided beta-binomial over calibration draws' },
  embedding_mmd: { title: 'Embedding shift', compares: 'Production vs training embeddings (RBF kernel, median-distance bandwidth)', method: 'MMD permutation test' },
  prediction_shift: { title: 'Prediction shift', compares: 'Predicted-concept mix vs training label distribution', method: 'chi-square goodness of fit' },
  confidence_shift: { title: 'Confidence shift', compares: 'Top-1 score distribution vs the baseline', method: 'two-sample Kolmogorov–Smirnov' },
  labeled_accuracy: { title: 'Labeled accuracy', compares: 'Accuracy on labeled production items vs on eval data', method: 'one-sided exact binomial (Wilson bound beside it)' },
};

/** The method a test says it used (`details.method`), else the one it uses by default. */
export function testMethod(test: { name: DriftTestName; details: Record<string, unknown> } | undefined, name: DriftTestName): string {
  if (name === 'ood_rate' && test?.details['method'] === 'binomial') return 'one-sided exact binomial';
  return TEST_INFO[name].method;
}

export function formatNumber(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (x !== 0 && Math.abs(x) < 10 ** -digits) return x.toExponential(1);
  return x.toFixed(digits);
}

export function formatPValue(p: number | null): string {
  if (p === null) return '—';
  if (p < 1e-4) return '< 0.0001';
  return p.toFixed(4);
}

export function formatPercent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** "3 min ago" style age of an ISO time, relative to `now`. */
export function formatAge(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}
