import type { Metric } from '../../vectors/vector-index.js';

/** Mean of the member vectors; unit-normalised under cosine, so it is a direction again. */
export function centroid(vectors: Float32Array[], members: number[], metric: Metric): Float32Array {
  const d = vectors[members[0]!]!.length;
  const c = new Float32Array(d);
  for (const m of members) {
    const v = vectors[m]!;
    for (let i = 0; i < d; i++) c[i]! += v[i]! / members.length;
  }
  if (metric === 'cosine') {
    let s = 0;
    for (let i = 0; i < d; i++) s += c[i]! * c[i]!;
    const norm = Math.sqrt(s);
    if (norm > 0) for (let i = 0; i < d; i++) c[i]! /= norm;
  }
  return c;
}
