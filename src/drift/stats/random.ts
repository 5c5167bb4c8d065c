/** A seeded PRNG returning floats in [0, 1); same seed, same sequence on every platform. */
export type Random = () => number;

/** Creates a mulberry32 generator: tiny and fast, good enough for resampling (not for crypto). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
