import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { GramMemories } from '../../../src/drift/stats/gram.js';
import { mmdPermutationTest, mmdPlan } from '../../../src/drift/stats/mmd.js';
import { runMmdTask } from '../../../src/drift/stats/mmd-tasks.js';
import { MmdThreads } from '../../../src/drift/stats/mmd-threads.js';
import { mulberry32, type Random } from '../../../src/drift/stats/random.js';

function gaussianRows(random: Random, rows: number, dims: number, shift = 0): Float32Array[] {
  return Array.from({ length: rows }, () => Float32Array.from({ length: dims }, () => {
    const u = 1 - random();
    return shift + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }));
}

function withParallelism(x: Float32Array[], y: Float32Array[], options: Parameters<typeof mmdPermutationTest>[2], parallelism: number) {
  const plan = mmdPlan(x, y, options, parallelism, new GramMemories());
  let step = plan.next();
  while (!step.done) step = plan.next(step.value.map(runMmdTask));
  return step.value;
}

describe('MMD on worker threads', () => {
  const threads = new MmdThreads(2, pino({ level: 'silent' }));
  afterAll(() => threads.close());

  it('when run on two threads, then the result equals the in-process result to the last bit', async () => {
    const random = mulberry32(3);
    // 37 + 29 points: rows that do not fill the last block of four, odd chunk sizes.
    const x = gaussianRows(random, 37, 16, 0.3);
    const y = gaussianRows(random, 29, 16);
    for (const options of [{ permutations: 230, seed: 5 }, { permutations: 400, seed: 6, stopAfterExceedances: 7 }]) {
      expect(await threads.test(x, y, options)).toEqual(mmdPermutationTest(x, y, options));
    }
  });

  it('when a sample is invalid, then the threaded test rejects with the same RangeError', async () => {
    const x = [[1, 2], [3, 4]];
    await expect(threads.test(x, [[1, Number.NaN], [0, 0]], { permutations: 200, seed: 1 })).rejects.toThrow(RangeError);
  });
});

describe('Besag–Clifford sequential stop', () => {
  it('when the samples do not differ, then it stops at the h-th exceedance with p = h / permutations run', () => {
    const random = mulberry32(12);
    const x = gaussianRows(random, 30, 4);
    const y = gaussianRows(random, 30, 4);
    const full = mmdPermutationTest(x, y, { permutations: 2000, seed: 2 });
    const stopped = mmdPermutationTest(x, y, { permutations: 2000, seed: 2, stopAfterExceedances: 10 });
    expect(full.pValue).toBeGreaterThan(0.1);
    expect(stopped.permutations).toBeLessThan(200);
    expect(stopped.pValue).toBe(10 / stopped.permutations);
    expect(stopped.statistic).toBe(full.statistic);
  });

  it('when the shift is obvious, then every permutation runs and p is 1/(1 + permutations) as without the stop', () => {
    const random = mulberry32(11);
    const x = gaussianRows(random, 40, 8, 1);
    const y = gaussianRows(random, 40, 8);
    expect(mmdPermutationTest(x, y, { permutations: 300, seed: 1, stopAfterExceedances: 10 })).toEqual(mmdPermutationTest(x, y, { permutations: 300, seed: 1 }));
    expect(mmdPermutationTest(x, y, { permutations: 300, seed: 1, stopAfterExceedances: 10 }).pValue).toBe(1 / 301);
  });

  it('when the wave size changes, then the stop falls on the same permutation', () => {
    const random = mulberry32(4);
    const x = gaussianRows(random, 25, 3);
    const y = gaussianRows(random, 25, 3);
    const options = { permutations: 1000, seed: 8, stopAfterExceedances: 5 };
    const one = withParallelism(x, y, options, 1);
    expect(withParallelism(x, y, options, 3)).toEqual(one);
    expect(withParallelism(x, y, options, 40)).toEqual(one);
  });

  it('when both samples come from one distribution, then stopped p-values are valid: at most α of them fall at or below α', () => {
    const random = mulberry32(77);
    const pValues = Array.from({ length: 300 }, (_, i) =>
      mmdPermutationTest(gaussianRows(random, 10, 2), gaussianRows(random, 12, 2), { permutations: 200, seed: i, stopAfterExceedances: 10 }).pValue);
    // Binomial(300, α) upper tails at about 1%: 23 for α = 0.05, 42 for α = 0.1.
    expect(pValues.filter((p) => p <= 0.05).length).toBeLessThanOrEqual(23);
    expect(pValues.filter((p) => p <= 0.1).length).toBeLessThanOrEqual(42);
    expect(pValues.every((p) => p > 0 && p <= 1)).toBe(true);
  });

  it('when h is not a positive integer, then it is rejected', () => {
    const x = [[1, 2], [3, 4], [5, 6]];
    expect(() => mmdPermutationTest(x, x, { permutations: 200, seed: 1, stopAfterExceedances: 0 })).toThrow(RangeError);
  });
});
