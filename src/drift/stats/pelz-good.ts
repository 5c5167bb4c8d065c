// Pelz & Good (1976) asymptotic expansion of the two-sided Kolmogorov–Smirnov CDF:
//   P(D_n ≤ x) ≈ K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^1.5,  z = x√n,
// with each K written through Jacobi theta identities so it converges for small z.
// Simard & L'Ecuyer (2011) use it for large n where the exact methods get slow.

const PI2 = Math.PI ** 2;
const PI4 = PI2 * PI2;
const PI6 = PI4 * PI2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const MIN_LOG = -708;

/** Pelz–Good approximation of the two-sided one-sample Kolmogorov–Smirnov CDF P(D_n ≤ x). */
export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const logQ = -PI2 / (8 * z2);
  if (logQ < MIN_LOG) return 0;
  // Enough terms that the first omitted one is far below double precision.
  const terms = Math.ceil((16 * z) / Math.PI);
  let k0 = 0;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  for (let k = 1; k <= terms; k++) {
    const half = k - 0.5;
    const h2 = half * half;
    const h4 = h2 * h2;
    const weight = Math.exp(logQ * (2 * k - 1) ** 2);
    k0 += weight;
    k1 += weight * (PI2 * h2 - z2);
    k2 += weight * (6 * z6 + 2 * z4 + PI2 * (2 * z4 - 5 * z2) * h2 + PI4 * (1 - 2 * z2) * h4);
    k3 += weight * (PI6 * h4 * h2 * (5 - 30 * z2) + PI4 * h4 * (-60 * z2 + 212 * z4)
      + PI2 * h2 * (135 * z4 - 96 * z6) - 30 * z6 - 90 * z6 * z2);
  }
  let k2extra = 0;
  let k3extra = 0;
  for (let k = 1; k <= terms; k++) {
    const k2sq = k * k;
    const weight = Math.exp((-PI2 * k2sq) / (2 * z2));
    k2extra += k2sq * weight;
    k3extra += (3 * z2 - PI2 * k2sq) * k2sq * weight;
  }
  const term0 = (SQRT_2PI / z) * k0;
  const term1 = (SQRT_2PI / (6 * z4)) * k1;
  const term2 = (SQRT_2PI / (72 * z6 * z)) * k2 - ((PI2 * SQRT_2PI) / (36 * z2 * z)) * k2extra;
  const term3 = (SQRT_2PI / (6480 * z6 * z4)) * k3 + ((PI2 * SQRT_2PI) / (216 * z6)) * k3extra;
  const sqrtN = Math.sqrt(n);
  return term0 + term1 / sqrtN + term2 / n + term3 / (n * sqrtN);
}
