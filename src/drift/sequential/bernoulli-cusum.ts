// A Bernoulli CUSUM on the OOD indicator, in integer units so that its in-distribution run
// length can be computed exactly as a Markov chain (Brook & Evans 1972; the integer form is
// Reynolds & Stoumbos 1999). The math and the choice are in docs/drift.md.

/** Down-step of the integer CUSUM: 8 keeps the rounded log-likelihood ratio within ~1%. */
const CUSUM_DOWN_STEP = 8;

/** The integer CUSUM as it runs: `up` per OOD prediction, `down` per other one, alarm at `limit`. */
export interface CusumSteps {
  up: number;
  down: number;
  limit: number;
}

/** Next value of the statistic after one prediction; O(1). */
export function cusumStep(statistic: number, isOod: boolean, steps: CusumSteps): number {
  return Math.max(0, statistic + (isOod ? steps.up : -steps.down));
}

/**
 * The in-distribution OOD probability the conformal calibration promises with `n` calibration
 * points: a new point's percentile (share of calibration distances below its own) is uniform
 * on {0, 1/n, …, 1} under exchangeability, and it is flagged when at least `quantile`.
 */
export function conformalOodRate(quantile: number, n: number): number {
  if (n < 1) return 1 - quantile;
  return (n - Math.ceil(quantile * n - 1e-9) + 1) / (n + 1);
}

/** Integer steps whose ratio is the log-likelihood ratio of OOD rate `target` against `p0`. */
export function cusumSteps(p0: number, target: number): { up: number; down: number } {
  const up = Math.log(target / p0);
  const down = Math.log((1 - p0) / (1 - target));
  return { up: Math.max(1, Math.round((CUSUM_DOWN_STEP * up) / down)), down: CUSUM_DOWN_STEP };
}

/**
 * Exact average run length of the integer CUSUM started at 0 when each prediction is OOD with
 * probability `p`, independently: states 0…limit−1, solve (I − Q)·L = 1. I − Q is a banded
 * M-matrix, so banded elimination without pivoting is stable; cost O(limit · down · (up + down)).
 */
export function averageRunLength(p: number, steps: CusumSteps): number {
  const { up, down, limit } = steps;
  if (limit <= 0) return 1;
  const lower = down;
  const width = lower + up + 1;
  // Row i holds columns i−lower … i+up at offsets 0 … width−1.
  const a = new Float64Array(limit * width);
  const at = (i: number, j: number) => i * width + (j - i + lower);
  const rhs = new Float64Array(limit).fill(1);
  for (let i = 0; i < limit; i++) {
    a[at(i, i)]! += 1;
    if (i + up < limit) a[at(i, i + up)]! -= p;
    a[at(i, Math.max(0, i - down))]! -= 1 - p;
  }
  for (let k = 0; k < limit; k++) {
    const pivot = a[at(k, k)]!;
    for (let i = k + 1; i <= Math.min(limit - 1, k + lower); i++) {
      const f = a[at(i, k)]! / pivot;
      if (f === 0) continue;
      for (let j = k; j <= Math.min(limit - 1, k + up); j++) a[at(i, j)]! -= f * a[at(k, j)]!;
      rhs[i]! -= f * rhs[k]!;
    }
  }
  const run = new Float64Array(limit);
  for (let i = limit - 1; i >= 0; i--) {
    let s = rhs[i]!;
    for (let j = i + 1; j <= Math.min(limit - 1, i + up); j++) s -= a[at(i, j)]! * run[j]!;
    run[i] = s / a[at(i, i)]!;
  }
  return run[0]!;
}

/** The smallest alarm limit whose in-distribution average run length is at least `arl0`. */
export function cusumLimit(p0: number, steps: { up: number; down: number }, arl0: number): { limit: number; arl0: number } {
  const arl = (limit: number) => averageRunLength(p0, { ...steps, limit });
  let hi = steps.up;
  while (arl(hi) < arl0) hi *= 2;
  let lo = 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arl(mid) < arl0) lo = mid + 1;
    else hi = mid;
  }
  return { limit: lo, arl0: arl(lo) };
}
