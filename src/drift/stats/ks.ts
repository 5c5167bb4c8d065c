import { kolmogorovSf } from './kolmogorov.js';

export interface KsResult {
  /** Largest absolute gap between the two empirical CDFs. */
  statistic: number;
  pValue: number;
}

function sortedCopy(values: readonly number[], name: string): Float64Array {
  if (values.length === 0) throw new RangeError(`ksTwoSample: ${name} is empty`);
  const sorted = Float64Array.from(values);
  if (sorted.some(Number.isNaN)) throw new RangeError(`ksTwoSample: ${name} contains NaN`);
  return sorted.sort();
}

// numpy.round rounds halves to even; matching it matters because en is often k + 0.5.
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

// Matches scipy.stats.ks_2samp(a, b, method='asymp'), whose p-value is
// kstwo.sf(D, round(n·m/(n+m))) at every sample size. 'auto' counts lattice paths exactly
// while both samples have at most 10 000 points and uses this formula beyond, so its
// p-values jump at that size; one method everywhere keeps drift reports comparable.
// Ties are handled as scipy does, by comparing the empirical CDFs only after all copies of a
// value. When both samples hold one value the effective size rounds to 0 and scipy returns
// NaN; one point each is no evidence, so the p-value here is 1.

/** Two-sided two-sample Kolmogorov–Smirnov test, as scipy.stats.ks_2samp(method='asymp'). */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  const first = sortedCopy(a, 'a');
  const second = sortedCopy(b, 'b');
  const n1 = first.length;
  const n2 = second.length;
  let i = 0;
  let j = 0;
  let statistic = 0;
  while (i < n1 && j < n2) {
    const value = Math.min(first[i], second[j]);
    while (i < n1 && first[i] === value) i++;
    while (j < n2 && second[j] === value) j++;
    const gap = Math.abs(i / n1 - j / n2);
    if (gap > statistic) statistic = gap;
  }
  // Once one sample is used up, the gap only shrinks towards 0, so it cannot beat the maximum.
  const larger = Math.max(n1, n2);
  const smaller = Math.min(n1, n2);
  const effectiveN = roundHalfEven((larger * smaller) / (larger + smaller));
  const pValue = effectiveN === 0 ? 1 : kolmogorovSf(effectiveN, statistic);
  return { statistic, pValue };
}
