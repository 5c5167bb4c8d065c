import type { DriftDistributions } from './drift.types.js';

const CONFIDENCE_BINS = 20;

/** Shares of `values` in `bins` equal bins over [0, 1] (1 falls in the last bin). */
function histogramShares(values: readonly number[], bins = CONFIDENCE_BINS): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]!++;
  return counts.map((c) => (values.length === 0 ? 0 : c / values.length));
}

/** The distributions behind confidence_shift and prediction_shift, for charts. */
export function driftDistributions(input: {
  concepts: string[];
  predicted: Map<string, number>;
  training: Map<string, number>;
  production: readonly number[];
  baseline: readonly number[];
  baselineSource: string | null;
}): DriftDistributions {
  const predictedTotal = sum(input.predicted.values());
  const trainingTotal = sum(input.concepts.map((c) => input.training.get(c) ?? 0));
  return {
    confidence: {
      edges: Array.from({ length: CONFIDENCE_BINS + 1 }, (_, i) => i / CONFIDENCE_BINS),
      production: histogramShares(input.production),
      baseline: histogramShares(input.baseline),
      baselineSource: input.baselineSource,
    },
    concepts: input.concepts.map((concept) => ({
      concept,
      production: predictedTotal === 0 ? 0 : (input.predicted.get(concept) ?? 0) / predictedTotal,
      training: trainingTotal === 0 ? 0 : (input.training.get(concept) ?? 0) / trainingTotal,
    })),
  };
}

function sum(xs: Iterable<number>): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
