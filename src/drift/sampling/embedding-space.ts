import type { Metric } from '../../vectors/vector-index.js';

/**
 * Puts a stored embedding into the model's metric space for kernel tests and clustering:
 * under cosine only the direction matters, so vectors are unit-normalised (then
 * ‖a − b‖² = 2·cosine distance); under l2 they are used as they are.
 */
export function toMetricSpace(v: Float32Array, metric: Metric): Float32Array {
  if (metric !== 'cosine') return v;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n === 0) return v;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

/** Distance in the model's metric: 1 − cos for unit vectors under cosine, Euclidean under l2. */
export function metricDistance(a: Float32Array, b: Float32Array, metric: Metric): number {
  let s = 0;
  if (metric === 'cosine') {
    for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
    return 1 - s;
  }
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}
