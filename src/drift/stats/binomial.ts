import { binomialTerm } from './saddle-point.js';
import { regularizedBeta, regularizedBetaComplement } from './special.js';

function checkBinomial(n: number, p: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomial n must be a non-negative integer, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial p must be in [0, 1], got ${p}`);
}

/** P(X = k) for X ~ Bin(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  checkBinomial(n, p);
  if (!Number.isInteger(k) || k < 0 || k > n) return 0;
  return binomialTerm(k, n, p, 1 - p);
}

/** P(X ≤ k) for X ~ Bin(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  checkBinomial(n, p);
  const floor = Math.floor(k);
  if (floor < 0) return 0;
  if (floor >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  // P(X ≤ k) = 1 − I_p(k+1, n−k); the complement form keeps a tiny lower tail exact.
  return regularizedBetaComplement(p, floor + 1, n - floor);
}

/** P(X > k) for X ~ Bin(n, p), accurate far into the upper tail. */
export function binomialSf(k: number, n: number, p: number): number {
  checkBinomial(n, p);
  const floor = Math.floor(k);
  if (floor < 0) return 1;
  if (floor >= n) return 0;
  if (p === 0) return 0;
  if (p === 1) return 1;
  return regularizedBeta(p, floor + 1, n - floor);
}

/** One-sided exact binomial test: P(X ≥ successes) for X ~ Bin(n, p0), as scipy's binomtest(alternative='greater'). */
export function binomialTestGreater(successes: number, n: number, p0: number): number {
  checkBinomial(n, p0);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`successes must be an integer in [0, n], got ${successes} with n=${n}`);
  }
  return binomialSf(successes - 1, n, p0);
}
