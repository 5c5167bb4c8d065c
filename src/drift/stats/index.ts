// Public surface of the drift statistics; callers import from here, not from single files.
export { binomialCdf, binomialSf, binomialTestGreater } from './binomial.js';
export { chiSquareGoodnessOfFit } from './chi-square.js';
export { ksTwoSample } from './ks.js';
export { mmdPermutationTest } from './mmd.js';
export { mulberry32 } from './random.js';
export { betaBinomialSfAtLeast } from './beta-binomial.js';
export { wilsonInterval } from './wilson.js';
