import { normalQuantile } from './normal.js';


export interface WilsonInterval {
  lower: number;
  upper: number;
  center: number;
}

/** Wilson score interval at a two-sided confidence; n = 0 is no evidence, so [0, 1] with center 0.5. */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): WilsonInterval {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (!(successes >= 0 && successes <= n)) throw new RangeError(`successes must be in [0, n], got ${successes} with n=${n}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (n === 0) return { lower: 0, upper: 1, center: 0.5 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const phat = successes / n;
  const denominator = 1 + z2 / n;
  const center = (phat + z2 / (2 * n)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((phat * (1 - phat)) / n + z2 / (4 * n * n));
  // Clamp only rounding noise: mathematically the interval always lies inside [0, 1].
  return { lower: Math.max(0, center - halfWidth), upper: Math.min(1, center + halfWidth), center };
}
