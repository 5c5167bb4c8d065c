import { logGamma } from './log-gamma.js';
import { regularizedBeta } from './special.js';

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

function check(n: number, a: number, b: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`beta-binomial n must be a non-negative integer, got ${n}`);
  if (!(a > 0 && b > 0)) throw new RangeError(`beta-binomial a and b must be positive, got ${a}, ${b}`);
}

/** log P(X = x) for X ~ BetaBinomial(n, a, b): the binomial count when p ~ Beta(a, b). */
function logPmf(x: number, n: number, a: number, b: number, logNorm: number): number {
  return logGamma(n + 1) - logGamma(x + 1) - logGamma(n - x + 1) + logBeta(x + a, n - x + b) - logNorm;
}

/** Sum of P(X = x) over x from `from` stepping by `step` (±1), stopping once the terms stop mattering. */
function tailSum(from: number, step: 1 | -1, n: number, a: number, b: number): number {
  const logNorm = logBeta(a, b);
  // With a, b ≥ 1 the pmf is unimodal: once terms fall and no longer change the sum, the rest cannot either.
  const unimodal = a >= 1 && b >= 1;
  let sum = 0;
  let previous = 0;
  for (let x = from; x >= 0 && x <= n; x += step) {
    const term = Math.exp(logPmf(x, n, a, b, logNorm));
    sum += term;
    if (unimodal && term < previous && term < sum * 1e-17) break;
    previous = term;
  }
  return sum;
}

/** P(X ≥ k) for X ~ BetaBinomial(n, a, b), summing the shorter tail. */
export function betaBinomialSfAtLeast(k: number, n: number, a: number, b: number): number {
  check(n, a, b);
  if (k <= 0) return 1;
  if (k > n) return 0;
  const mean = (n * a) / (a + b);
  if (k > mean) return Math.min(1, tailSum(k, 1, n, a, b));
  return Math.max(0, 1 - tailSum(k - 1, -1, n, a, b));
}

/** The p-quantile of Beta(a, b), by bisection on the regularized incomplete beta. */
export function betaQuantile(p: number, a: number, b: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 100 && hi - lo > 1e-15; i++) {
    const mid = (lo + hi) / 2;
    if (regularizedBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
