// Lanczos approximation (g = 607/128, 15 terms, as tabulated by Godfrey and used in
// Numerical Recipes 3rd ed.): about 1e-15 relative error for x > 0, which is all the callers
// need because large arguments go through the saddle-point terms instead.
const G = 5.2421875;
const SERIES_START = 0.999999999999997092;
const COEFFICIENTS = [
  57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199,
  0.339946499848118887e-4, 0.465236289270485756e-4, -0.983744753048795646e-4,
  0.158088703224912494e-3, -0.210264441724104883e-3, 0.217439618115212643e-3,
  -0.164318106536763890e-3, 0.844182239838527433e-4, -0.261908384015814087e-4,
  0.368991826595316234e-5,
];
const SQRT_2PI = 2.5066282746310005;

/** log Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  const shifted = x + G;
  const head = (x + 0.5) * Math.log(shifted) - shifted;
  let series = SERIES_START;
  let denominator = x;
  for (const c of COEFFICIENTS) {
    denominator += 1;
    series += c / denominator;
  }
  return head + Math.log((SQRT_2PI * series) / x);
}
