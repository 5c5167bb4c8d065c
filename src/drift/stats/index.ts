// Public surface of the drift statistics; callers import from here, not from single files.
export { binomialCdf, binomialPmf, binomialSf, binomialTestGreater } from './binomial.js';
export { chiSquareGoodnessOfFit, chiSquareSf, type ChiSquareResult } from './chi-square.js';
export { kolmogorovSf } from './kolmogorov.js';
export { ksTwoSample, type KsResult } from './ks.js';
export { mmdPermutationTest, type EmbeddingSample, type MmdOptions, type MmdResult } from './mmd.js';
export { normalQuantile } from './normal.js';
export { mulberry32, type Random } from './random.js';
export { smirnovSf } from './smirnov.js';
export { betaBinomialSfAtLeast, betaQuantile } from './beta-binomial.js';
export { logGamma, regularizedBeta, regularizedBetaComplement, regularizedGammaP, regularizedGammaQ } from './special.js';
export { wilsonInterval, type WilsonInterval } from './wilson.js';
