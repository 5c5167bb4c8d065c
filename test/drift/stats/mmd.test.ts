import { describe, expect, it } from 'vitest';
import { GramMemories } from '../../../src/drift/stats/gram.js';
import { mmdPermutationTest } from '../../../src/drift/stats/mmd.js';
import { mulberry32, type Random } from '../../../src/drift/stats/random.js';
import { expectClose, loadFixture } from './fixture.js';

interface MmdCase { note: string; x: number[][]; y: number[][]; bandwidth: number; statistic: number; permutationPValue: number; resamples: number }

const fixture = loadFixture<{ cases: MmdCase[] }>('mmd');

function gaussianRows(random: Random, rows: number, dims: number, shift = 0): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: dims }, () => {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const u = 1 - random();
    return shift + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }));
}

describe(`mmdPermutationTest against ${fixture.source}`, () => {
  it.each(fixture.cases)('when $note, then bandwidth and statistic match numpy and the p-value scipy', (c) => {
    const result = mmdPermutationTest(c.x, c.y, { permutations: c.resamples, seed: 7 });
    expectClose(result.bandwidth, c.bandwidth, { rel: 1e-12 }, 'bandwidth');
    // MMD² is a difference of kernel means and can be ~0, so compare absolutely.
    expectClose(result.statistic, c.statistic, { abs: 1e-12 }, 'statistic');
    // Both p-values are Monte Carlo estimates from different generators: allow five standard
    // errors of their difference plus one permutation's worth.
    const p = c.permutationPValue;
    const standardError = Math.sqrt((2 * p * (1 - p)) / c.resamples);
    expectClose(result.pValue, p, { abs: 5 * standardError + 1 / (c.resamples + 1) }, 'pValue');
  });

  it('when the shift is obvious, then the p-value is the smallest possible, 1/(1 + permutations)', () => {
    const random = mulberry32(11);
    const result = mmdPermutationTest(gaussianRows(random, 40, 8, 1), gaussianRows(random, 40, 8), { permutations: 300, seed: 1 });
    expect(result.pValue).toBe(1 / 301);
  });

  it('when both samples come from one distribution, then p-values over many datasets look uniform', () => {
    const random = mulberry32(2024);
    const pValues = Array.from({ length: 100 }, (_, i) =>
      mmdPermutationTest(gaussianRows(random, 12, 3), gaussianRows(random, 15, 3), { permutations: 200, seed: i }).pValue);
    pValues.sort((a, b) => a - b);
    // Kolmogorov distance to U(0, 1); 0.163 is its 1% critical value for 100 draws.
    const distance = Math.max(...pValues.map((p, i) => Math.max(Math.abs((i + 1) / 100 - p), Math.abs(p - i / 100))));
    expect(distance).toBeLessThan(0.163);
    expect(pValues.filter((p) => p <= 0.05).length).toBeLessThanOrEqual(12);
  });

  it('when run twice with the same seed, then the result is identical', () => {
    const { x, y } = fixture.cases[0];
    expect(mmdPermutationTest(x, y, { permutations: 200, seed: 3 })).toEqual(mmdPermutationTest(x, y, { permutations: 200, seed: 3 }));
  });

  it('when the memory was used before by a larger test, then the result equals that in a fresh memory', () => {
    const random = mulberry32(6);
    const memories = new GramMemories();
    mmdPermutationTest(gaussianRows(random, 40, 9, 0.5), gaussianRows(random, 45, 9), { permutations: 200, seed: 1 }, memories);
    const { x, y } = fixture.cases[0];
    expect(mmdPermutationTest(x, y, { permutations: 200, seed: 3 }, memories)).toEqual(mmdPermutationTest(x, y, { permutations: 200, seed: 3 }));
  });

  it('when rows are Float32Array, then the result equals that of the same values as number[]', () => {
    const random = mulberry32(5);
    const x = gaussianRows(random, 20, 6).map((row) => Float32Array.from(row));
    const y = gaussianRows(random, 25, 6).map((row) => Float32Array.from(row));
    const asNumbers = (rows: Float32Array[]) => rows.map((row) => Array.from(row));
    expect(mmdPermutationTest(x, y, { permutations: 200, seed: 9 }))
      .toEqual(mmdPermutationTest(asNumbers(x), asNumbers(y), { permutations: 200, seed: 9 }));
  });

  it('when the reference exceeds maxReference, then it is subsampled deterministically', () => {
    const random = mulberry32(8);
    const x = gaussianRows(random, 30, 4);
    const y = gaussianRows(random, 90, 4);
    const full = mmdPermutationTest(x, y, { permutations: 200, seed: 4, maxReference: 90 });
    const capped = mmdPermutationTest(x, y, { permutations: 200, seed: 4, maxReference: 40 });
    expect(capped).toEqual(mmdPermutationTest(x, y, { permutations: 200, seed: 4, maxReference: 40 }));
    expect(capped.statistic).not.toBe(full.statistic);
    expect(mmdPermutationTest(x, y, { permutations: 200, seed: 4 })).toEqual(full);
  });

  it('when there are more pairs than the bandwidth sample, then the sampled median stays close to the exact one', () => {
    const random = mulberry32(21);
    const x = gaussianRows(random, 300, 4);
    const y = gaussianRows(random, 300, 4, 0.2);
    const pooled = [...x, ...y];
    const distances: number[] = [];
    for (let i = 0; i < pooled.length; i++) {
      for (let j = i + 1; j < pooled.length; j++) {
        distances.push(Math.hypot(...pooled[i].map((v, k) => v - pooled[j][k])));
      }
    }
    distances.sort((a, b) => a - b);
    const exact = (distances[distances.length / 2 - 1] + distances[distances.length / 2]) / 2;
    const { bandwidth } = mmdPermutationTest(x, y, { permutations: 200, seed: 1 });
    expectClose(bandwidth, exact, { rel: 0.02 }, 'bandwidth');
  });

  it('when every point is identical, then the statistic is 0 and the p-value 1', () => {
    const same = Array.from({ length: 10 }, () => [1, 2, 3]);
    expect(mmdPermutationTest(same, same, { permutations: 200, seed: 1 })).toEqual({ statistic: 0, pValue: 1, bandwidth: 1, permutations: 200 });
  });

  it('when options or inputs are invalid, then it throws a RangeError', () => {
    const x = [[1, 2], [3, 4], [5, 6]];
    expect(() => mmdPermutationTest(x, x, { permutations: 199, seed: 1 })).toThrow(RangeError);
    expect(() => mmdPermutationTest(x, [[1, 2, 3], [4, 5, 6]], { permutations: 200, seed: 1 })).toThrow(RangeError);
    expect(() => mmdPermutationTest([[1, 2]], x, { permutations: 200, seed: 1 })).toThrow(RangeError);
    expect(() => mmdPermutationTest(x, [[1, Number.NaN], [0, 0]], { permutations: 200, seed: 1 })).toThrow(RangeError);
    expect(() => mmdPermutationTest(x, x, { permutations: 200, seed: 1, maxReference: 1 })).toThrow(RangeError);
  });
});
