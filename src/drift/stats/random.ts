/** A seeded PRNG returning floats in [0, 1); same seed, same sequence on every platform. */
export type Random = () => number;

/** mulberry32: tiny and fast, good enough for resampling (not for crypto). */
export { mulberry32 } from '../../util/random.js';

/** Uniform integer in [0, bound). */
export function randomInt(random: Random, bound: number): number {
  return Math.floor(random() * bound);
}

// Ascending order keeps the callers' reads of a packed n×n matrix cache-friendly.
/** `k` distinct indices out of `n`, uniformly chosen, in increasing order. */
export function sampleSortedIndices(random: Random, n: number, k: number, scratch?: Int32Array): Int32Array {
  const pool = scratch ?? new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  // A partial Fisher–Yates only needs k swaps to make the first k slots a uniform sample.
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(random, n - i);
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
  }
  return pool.slice(0, k).sort();
}
