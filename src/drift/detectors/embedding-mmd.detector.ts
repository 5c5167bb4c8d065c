import { mmdPermutationTest } from '../stats/index.js';
import type { DriftTestResult } from '../drift.types.js';
import { formatP, ran, skipped } from './outcome.js';

/** Below this many points on either side the kernel test has no power worth reporting. */
const MIN_MMD_POINTS = 20;

export interface EmbeddingMmdInput {
  /** Production embeddings (already subsampled to a bounded size). */
  window: Float32Array[];
  /** The fixed reference sample of train embeddings. */
  reference: Float32Array[];
  permutations: number;
  seed: number;
  alpha: number;
}

/**
 * embedding_mmd: kernel two-sample test, RBF kernel with median-distance bandwidth, null by
 * permuting the pooled sample. Both samples are bounded, so the O(n²) kernel stays small
 * and the test cannot turn every negligible difference into "significant" as n grows.
 */
export function embeddingMmdTest(input: EmbeddingMmdInput): DriftTestResult {
  const { window, reference, permutations, seed, alpha } = input;
  if (window.length < MIN_MMD_POINTS || reference.length < MIN_MMD_POINTS) {
    return skipped('embedding_mmd', `Needs at least ${MIN_MMD_POINTS} production and ${MIN_MMD_POINTS} training embeddings.`, {
      windowSample: window.length,
      referenceSample: reference.length,
    });
  }
  const r = mmdPermutationTest(window, reference, { permutations, seed, maxReference: reference.length });
  const drift = r.pValue < alpha;
  return ran('embedding_mmd', {
    statistic: r.statistic,
    pValue: r.pValue,
    effect: Math.max(0, r.statistic),
    drift,
    summary: `${drift ? 'Production embeddings differ from training' : 'No detectable difference between production and training embeddings'}: MMD² = ${r.statistic.toFixed(4)} over ${window.length} production vs ${reference.length} training embeddings (${formatP(r.pValue)}, ${permutations} permutations).`,
    details: { windowSample: window.length, referenceSample: reference.length, bandwidth: r.bandwidth, permutations },
  });
}
