/** Per-feature mean and standard deviation of row-major rows. */
export interface FeatureScale {
  mean: Float32Array;
  std: Float32Array;
}

// Features that barely vary are left unscaled rather than blown up.
const MIN_STD = 1e-6;

/** Mean and standard deviation of each of `dim` features over n rows. */
export function featureScale(x: Float32Array, n: number, dim: number): FeatureScale {
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) {
      const v = x[i * dim + d]!;
      mean[d] += v;
      sq[d] += v * v;
    }
  }
  const std = new Float32Array(dim);
  for (let d = 0; d < dim; d++) {
    mean[d] /= Math.max(1, n);
    const s = Math.sqrt(Math.max(0, sq[d]! / Math.max(1, n) - mean[d]! ** 2));
    std[d] = s > MIN_STD ? s : 1;
  }
  return { mean: Float32Array.from(mean), std };
}

/** (x − mean) / std, as a new array. */
export function standardize(x: Float32Array, n: number, dim: number, scale: FeatureScale): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) out[i * dim + d] = (x[i * dim + d]! - scale.mean[d]!) / scale.std[d]!;
  }
  return out;
}

/**
 * Folds standardization into a dense layer trained on standardized inputs, so it takes raw
 * inputs: W[d][u] / std[d], and b[u] − Σ_d mean[d]·W[d][u] / std[d]. `kernel` is dim×units.
 */
export function foldScale(kernel: Float32Array, bias: Float32Array, scale: FeatureScale): { kernel: Float32Array; bias: Float32Array } {
  const dim = scale.mean.length;
  const units = bias.length;
  const k = new Float32Array(kernel.length);
  const b = Float64Array.from(bias);
  for (let d = 0; d < dim; d++) {
    for (let u = 0; u < units; u++) {
      const w = kernel[d * units + u]! / scale.std[d]!;
      k[d * units + u] = w;
      b[u] -= scale.mean[d]! * w;
    }
  }
  return { kernel: k, bias: Float32Array.from(b) };
}
