import { decodeVector } from '../../util/vectors.js';
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

/**
 * A stored embedding (`encodeVector`'s bytes) in the model's metric space. Under cosine the
 * normalised copy is the only one: the stored floats are read where they are when aligned.
 * An evaluation's window sample at 512 dims was 3 MB of array buffers (blobs, copies, unit
 * vectors), which V8 counts towards the old generation's limit: a third less of it brings the
 * next mark-compact later.
 */
export function storedToMetricSpace(blob: Uint8Array, metric: Metric): Float32Array {
  if (metric === 'cosine' && blob.byteOffset % Float32Array.BYTES_PER_ELEMENT === 0) {
    const unit = toMetricSpace(new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / Float32Array.BYTES_PER_ELEMENT), metric);
    // A zero vector comes back as it went in: a view of the blob, which must not be kept.
    if (unit.buffer !== blob.buffer) return unit;
  }
  return toMetricSpace(decodeVector(blob), metric);
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
