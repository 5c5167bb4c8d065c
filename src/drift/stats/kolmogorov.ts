// Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, chosen
// per region as in Simard & L'Ecuyer (2011), "Computing the two-sided Kolmogorov–Smirnov
// distribution" — the same regions scipy.stats.kstwo uses, so results agree with it.
// One difference: for n ≤ 140 and 0.754693 < n·x² ≤ 4 scipy runs Pomeranz's recursion and
// we run the Durbin matrix instead; both are exact, so only rounding separates them.

import { durbinMatrixCdf } from './durbin-matrix.js';
import { logGamma } from './log-gamma.js';
import { pelzGoodCdf } from './pelz-good.js';
import { smirnovSf } from './smirnov.js';

const SMALL_N = 140;

// Ruben & Gambino: for 1/(2n) ≤ x ≤ 1/n, P(D_n ≤ x) = n!/n^n · (2nx − 1)^n.
function rubenGambinoLowerCdf(n: number, t: number): number {
  if (n <= SMALL_N) {
    let product = 1;
    for (let i = 1; i <= n; i++) product *= (i / n) * (2 * t - 1);
    return product;
  }
  return Math.exp(logGamma(n + 1) - n * Math.log(n) + n * Math.log(2 * t - 1));
}

/** P(D_n ≥ x) for the two-sided one-sample KS statistic, as scipy.stats.kstwo.sf(x, n). */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`kolmogorovSf needs a positive integer n, got ${n}`);
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) return t <= 0.5 ? 1 : clamp(1 - rubenGambinoLowerCdf(n, t));
  if (t >= n - 1) return clamp(2 * (1 - x) ** n);
  // Above 1/2 the two one-sided events cannot both happen, so the tail is exactly twice D+'s.
  if (x >= 0.5) return clamp(2 * smirnovSf(n, x));
  const nxx = t * x;
  if (n <= SMALL_N) {
    if (nxx <= 4) return clamp(1 - durbinMatrixCdf(n, x));
    return clamp(2 * smirnovSf(n, x));
  }
  if (nxx >= 370) return 0;
  // Simard & L'Ecuyer accept twice the one-sided tail here: the neglected joint event is
  // about e^(−6nx²) < 2e-6 of the tail, far below what a drift decision can notice.
  if (nxx >= 2.2) return clamp(2 * smirnovSf(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinMatrixCdf(n, x) : pelzGoodCdf(n, x);
  return clamp(1 - cdf);
}

function clamp(p: number): number {
  return Math.min(1, Math.max(0, p));
}
