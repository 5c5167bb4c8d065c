import { regularizedGammaQ } from './special.js';

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
}

// Pseudo-count given to every category once some category has zero expected share.
const PSEUDO_COUNT = 0.5;

/** Survival function of the chi-square distribution, P(X ≥ statistic) for X ~ χ²(df). */
export function chiSquareSf(statistic: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`chi-square df must be positive, got ${df}`);
  if (statistic <= 0) return 1;
  return regularizedGammaQ(df / 2, statistic / 2);
}

// Zero expected shares: a category with zero expected share and zero observations is
// dropped, since it carries no information and must not inflate df. If some kept category
// still has zero expected share (the model predicts a concept training never labelled), every
// kept category gets a pseudo-count of 0.5 and the expected counts are rescaled to the observed
// total, so that category adds a large but finite term instead of Infinity.

/** Pearson chi-square goodness of fit (scipy.stats.chisquare, ddof 0); zero-share categories are dropped or smoothed as above. */
export function chiSquareGoodnessOfFit(observed: number[], expectedProportions: number[]): ChiSquareResult {
  const { counts, shares } = keptCategories(observed, expectedProportions);
  const total = counts.reduce((sum, count) => sum + count, 0);
  const df = Math.max(counts.length - 1, 0);
  if (total === 0 || df === 0) return { statistic: 0, df, pValue: 1 };
  const expected = expectedCounts(shares, total);
  let statistic = 0;
  for (let i = 0; i < counts.length; i++) {
    const diff = counts[i] - expected[i];
    statistic += (diff * diff) / expected[i];
  }
  return { statistic, df, pValue: chiSquareSf(statistic, df) };
}

function keptCategories(observed: number[], proportions: number[]): { counts: number[]; shares: number[] } {
  if (observed.length !== proportions.length) {
    throw new RangeError(`observed has ${observed.length} categories but expectedProportions has ${proportions.length}`);
  }
  const shareTotal = proportions.reduce((sum, share) => sum + share, 0);
  if (!(shareTotal > 0) || !Number.isFinite(shareTotal)) throw new RangeError('expectedProportions must have a positive finite sum');
  const counts: number[] = [];
  const shares: number[] = [];
  for (let i = 0; i < observed.length; i++) {
    if (!(observed[i] >= 0) || !(proportions[i] >= 0)) throw new RangeError(`category ${i} has a negative or non-numeric value`);
    if (observed[i] === 0 && proportions[i] === 0) continue;
    counts.push(observed[i]);
    shares.push(proportions[i] / shareTotal);
  }
  return { counts, shares };
}

function expectedCounts(shares: number[], total: number): number[] {
  if (shares.every((share) => share > 0)) return shares.map((share) => share * total);
  const scale = total / (total + PSEUDO_COUNT * shares.length);
  return shares.map((share) => (share * total + PSEUDO_COUNT) * scale);
}
