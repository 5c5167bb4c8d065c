import type { Metric } from '../vectors/vector-index.js';

/** Distances at or below this are the same embedding (float32 rounding of 1 − cos). */
export const EXACT_DISTANCE = 1e-6;

/**
 * The near-duplicate radius in the model's metric: `fraction` of the typical distance between
 * an example and its k nearest train neighbours (`typical`, the median OOD calibration distance).
 *
 * Relative, because how close "close" is depends on the encoder: on the demo's 64-d CNN
 * embeddings the median neighbour sits at 1 − cos ≈ 0.013, so a fixed cosine radius of 0.02
 * would call most of the data duplicates, while a looser encoder puts unrelated photos there.
 * The fraction applies to linear distance: the Euclidean distance under l2, and under cosine the
 * chord between unit vectors, √(2(1 − cos)), which grows with the angle where 1 − cos grows with
 * its square; so under cosine the radius is fraction² · typical in 1 − cos.
 */
export function duplicateRadius(metric: Metric, fraction: number, typical: number | undefined): number {
  if (typical === undefined || !(typical > 0)) return EXACT_DISTANCE;
  return Math.max(EXACT_DISTANCE, metric === 'cosine' ? fraction * fraction * typical : fraction * typical);
}
