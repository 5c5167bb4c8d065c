import { medianInPlace } from './median.js';
import { randomInt, type Random } from './random.js';

/** Pairs used for the median heuristic; beyond this a seeded subsample is as good and cheaper. */
const MAX_BANDWIDTH_PAIRS = 100_000;

function sampledDistances(squared: Float64Array, random: Random): Float64Array {
  if (squared.length <= MAX_BANDWIDTH_PAIRS) return squared.map(Math.sqrt);
  const sample = new Float64Array(MAX_BANDWIDTH_PAIRS);
  for (let i = 0; i < sample.length; i++) sample[i] = Math.sqrt(squared[randomInt(random, squared.length)]);
  return sample;
}

// If most pairs are exact duplicates the median is 0, which would turn the kernel into an
// identity test, so the median of the non-zero distances is used instead; if every distance
// is 0 the kernel is 1 at any bandwidth, and 1 is returned.

/** Median pairwise distance: exact up to MAX_BANDWIDTH_PAIRS pairs, else of a seeded subsample (with replacement). */
export function medianHeuristicBandwidth(squaredDistances: Float64Array, random: Random): number {
  const distances = sampledDistances(squaredDistances, random);
  const median = medianInPlace(distances);
  if (median > 0) return median;
  const positive = distances.filter((distance) => distance > 0);
  return positive.length > 0 ? medianInPlace(positive) : 1;
}
