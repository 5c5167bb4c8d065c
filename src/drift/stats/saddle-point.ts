// Loader's saddle-point expansions ("Fast and accurate computation of binomial
// probabilities", 2000). Writing a probability term as exp(-stirlingError - deviance)
// instead of exp(lgamma(...) - lgamma(...)) avoids the cancellation between huge log-gamma
// values, which would otherwise cost ~1e-10 relative accuracy at n = 100k.

import { logGamma } from './log-gamma.js';

const LOG_SQRT_2PI = 0.9189385332046728;
const TWO_PI = 2 * Math.PI;

// stirlingError(k / 2) for k = 1..30, computed with mpmath at 40 digits.
const HALF_INTEGER_TABLE = [
  0.15342640972002736, 0.08106146679532726, 0.05481412105191765, 0.0413406959554093,
  0.03316287351993629, 0.02767792568499834, 0.023746163656297496, 0.020790672103765093,
  0.018488450532673187, 0.016644691189821193, 0.015134973221917378, 0.013876128823070748,
  0.012810465242920227, 0.01189670994589177, 0.011104559758206917, 0.010411265261972096,
  0.009799416126158804, 0.009255462182712733, 0.008768700134139386, 0.00833056343336287,
  0.00793411456431402, 0.007573675487951841, 0.007244554301320383, 0.00694284010720953,
  0.006665247032707682, 0.006408994188004207, 0.006171712263039458, 0.0059513701127588475,
  0.0057462165130101155, 0.005554733551962801,
];

const S0 = 1 / 12;
const S1 = 1 / 360;
const S2 = 1 / 1260;
const S3 = 1 / 1680;
const S4 = 1 / 1188;

/** log(n!) − log(√(2πn) (n/e)^n), the error of Stirling's formula, for n > 0. */
function stirlingError(n: number): number {
  if (n <= 15) {
    const twice = 2 * n;
    if (Number.isInteger(twice) && twice >= 1) return HALF_INTEGER_TABLE[twice - 1];
    return logGamma(n + 1) - (n + 0.5) * Math.log(n) + n - LOG_SQRT_2PI;
  }
  // Fewer series terms suffice as n grows; each cut-off keeps the dropped term below 1e-16.
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** Deviance term x·log(x/m) + m − x, accurate even when x ≈ m. */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    // Near x = m the closed form cancels to nothing; the series in v = (x−m)/(x+m) does not.
    const v = (x - m) / (x + m);
    let sum = (x - m) * v;
    let term = 2 * x * v;
    const v2 = v * v;
    for (let j = 1; j < 1000; j++) {
      term *= v2;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * Math.log(x / m) + m - x;
}

/** x^a e^−x / Γ(a+1) for real a ≥ 0, x ≥ 0 (the Poisson "probability" of a at rate x). */
export function poissonTerm(a: number, x: number): number {
  if (x === 0) return a === 0 ? 1 : 0;
  if (a === 0) return Math.exp(-x);
  return Math.exp(-stirlingError(a) - deviance(a, x)) / Math.sqrt(TWO_PI * a);
}

/** Γ(n+1)/(Γ(k+1)Γ(n−k+1)) p^k q^(n−k) for real 0 ≤ k ≤ n, with q = 1 − p given separately. */
export function binomialTerm(k: number, n: number, p: number, q: number): number {
  if (p === 0) return k === 0 ? 1 : 0;
  if (q === 0) return k === n ? 1 : 0;
  if (k === 0) {
    if (n === 0) return 1;
    // Math.pow is correctly rounded, exp(n·log q) is not; the deviance form wins when q ≈ 1.
    return p < 0.1 ? Math.exp(-deviance(n, n * q) - n * p) : q ** n;
  }
  if (k === n) return q < 0.1 ? Math.exp(-deviance(n, n * p) - n * q) : p ** n;
  if (k < 0 || k > n) return 0;
  const lc = stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, n * p) - deviance(n - k, n * q);
  const lf = Math.log(TWO_PI) + Math.log(k) + Math.log1p(-k / n);
  return Math.exp(lc - 0.5 * lf);
}
