// Durbin's matrix formula for the two-sided one-sample Kolmogorov–Smirnov CDF, evaluated as
// in Marsaglia, Tsang & Wang (2003), "Evaluating Kolmogorov's distribution":
//   P(D_n < d) = n!/n^n · (H^n)[k−1][k−1],  k = ⌈nd⌉, h = k − nd, H of order 2k − 1.
// H^n grows like e^n, far beyond a double, so every matrix carries a power-of-two exponent.
// H is non-negative, so the products themselves are numerically stable.

const SCALE_BITS = 128;
const BIG = 2 ** SCALE_BITS;
const SMALL = 2 ** -SCALE_BITS;

interface ScaledMatrix {
  values: Float64Array;
  exponent: number;
}

function multiply(a: ScaledMatrix, b: ScaledMatrix, m: number): ScaledMatrix {
  const out = new Float64Array(m * m);
  const av = a.values;
  const bv = b.values;
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = av[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += aik * bv[k * m + j];
    }
  }
  let exponent = a.exponent + b.exponent;
  let max = 0;
  for (const value of out) if (value > max) max = value;
  while (max > BIG) {
    for (let i = 0; i < out.length; i++) out[i] *= SMALL;
    max *= SMALL;
    exponent += SCALE_BITS;
  }
  return { values: out, exponent };
}

function durbinMatrix(k: number, h: number): Float64Array {
  const m = 2 * k - 1;
  const inverseFactorial = new Float64Array(m + 1);
  inverseFactorial[0] = 1;
  for (let i = 1; i <= m; i++) inverseFactorial[i] = inverseFactorial[i - 1] / i;
  const matrix = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= Math.min(i + 1, m - 1); j++) matrix[i * m + j] = inverseFactorial[i - j + 1];
  }
  // The first column and last row lose the paths that would leave the band at its edges.
  for (let i = 0; i < m; i++) {
    matrix[i * m] -= h ** (i + 1) * inverseFactorial[i + 1];
    matrix[(m - 1) * m + i] -= h ** (m - i) * inverseFactorial[m - i];
  }
  if (2 * h - 1 > 0) matrix[(m - 1) * m] += (2 * h - 1) ** m * inverseFactorial[m];
  return matrix;
}

function timesPowerOfTwo(value: number, exponent: number): number {
  // 2 ** exponent alone would overflow or underflow before the product is formed.
  let result = value;
  let remaining = exponent;
  while (remaining !== 0 && result !== 0 && Number.isFinite(result)) {
    const step = Math.max(-1000, Math.min(1000, remaining));
    result *= 2 ** step;
    remaining -= step;
  }
  return result;
}

/** Two-sided one-sample Kolmogorov–Smirnov CDF P(D_n ≤ d), exact (Durbin / Marsaglia–Tsang–Wang). */
export function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const m = 2 * k - 1;
  let base: ScaledMatrix = { values: durbinMatrix(k, k - nd), exponent: 0 };
  let power: ScaledMatrix | undefined;
  for (let remaining = n; remaining > 0; remaining = Math.floor(remaining / 2)) {
    if (remaining % 2 === 1) power = power ? multiply(power, base, m) : base;
    if (remaining > 1) base = multiply(base, base, m);
  }
  if (!power) return 1;
  let p = power.values[(k - 1) * m + (k - 1)];
  let exponent = power.exponent;
  for (let i = 1; i <= n; i++) {
    p *= i / n;
    if (p < SMALL && p > 0) {
      p *= BIG;
      exponent -= SCALE_BITS;
    }
  }
  return Math.min(1, Math.max(0, timesPowerOfTwo(p, exponent)));
}
