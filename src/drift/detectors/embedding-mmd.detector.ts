import { mmdInProcess, type MmdRunner } from '../stats/mmd-threads.js';
import type { DriftTestResult } from '../drift.types.js';
import { formatP, ran, skipped } from './outcome.js';

/** Below this many points on either side the kernel test has no power worth reporting. */
const MIN_MMD_POINTS = 20;
/**
 * Besag–Clifford stop after this many permuted statistics reach the observed one. With 200
 * permutations and α ≤ 0.05 the verdict is the one of the full run (a stop means p ≥ 10/200),
 * and a window without drift costs a few dozen permutations instead of all of them.
 */
const STOP_AFTER_EXCEEDANCES = 10;

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
 * and the test cannot turn every negligible difference into "significant" as n grows. The
 * `runner` decides where the kernel is computed (worker threads in the service).
 */
export async function embeddingMmdTest(input: EmbeddingMmdInput, runner: MmdRunner = mmdInProcess): Promise<DriftTestResult> {
  const { window, reference, permutations, seed, alpha } = input;
  if (window.length < MIN_MMD_POINTS || reference.length < MIN_MMD_POINTS) {
    return skipped('embedding_mmd', `Needs at least ${MIN_MMD_POINTS} production and ${MIN_MMD_POINTS} training embeddings.`, {
      windowSample: window.length,
      referenceSample: reference.length,
    });
  }
  const r = await runner.test(window, reference, { permutations, seed, maxReference: reference.length, stopAfterExceedances: STOP_AFTER_EXCEEDANCES });
  const drift = r.pValue < alpha;
  return ran('embedding_mmd', {
    statistic: r.statistic,
    pValue: r.pValue,
    effect: Math.max(0, r.statistic),
    drift,
    summary: `${drift ? 'Production embeddings differ from training' : 'No detectable difference between production and training embeddings'}: MMD² = ${r.statistic.toFixed(4)} over ${window.length} production vs ${reference.length} training embeddings (${formatP(r.pValue)}, ${r.permutations < permutations ? `stopped after ${r.permutations} of ${permutations} permutations` : `${permutations} permutations`}).`,
    details: { windowSample: window.length, referenceSample: reference.length, bandwidth: r.bandwidth, permutations, permutationsRun: r.permutations },
  });
}
