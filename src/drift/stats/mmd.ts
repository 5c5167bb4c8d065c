// Kernel two-sample test (Gretton et al. 2012) with an RBF kernel and a permutation null.
//
// The test is written once as a plan (a generator) that yields waves of independent tasks
// (mmd-tasks.ts) and receives their results. Run in-process it is a plain function; run on a
// worker pool (mmd-threads.ts) the same tasks go to other threads and the result is the
// same to the last bit, because the work is split into a fixed number of chunks whatever
// runs them and partial results are combined in chunk order.

import { GramMemories } from './gram.js';
import { runMmdTask, type MmdTask, type MmdTaskResult, type PooledKernel } from './mmd-tasks.js';
import { mulberry32, sampleSortedIndices } from './random.js';

export type EmbeddingSample = readonly (Float32Array | readonly number[])[];

export interface MmdOptions {
  /** Permutations for the null distribution; at least 200 so p can fall below 0.01. */
  permutations: number;
  /** Seed for the reference subsample, the bandwidth subsample and the permutations. */
  seed: number;
  /** Reference points kept (seeded uniform subsample without replacement); default 1000. */
  maxReference?: number;
  /**
   * Besag–Clifford (1991) sequential stop: end the permutations at the h-th permuted statistic
   * at least as large as the observed one, with p = h / permutations run. The p-value stays
   * valid (P(p ≤ α) ≤ α under the null); a clear "no drift" then costs about h/p permutations
   * instead of all of them, while small p-values still run them all. Off when undefined.
   */
  stopAfterExceedances?: number;
}

export interface MmdResult {
  /** Unbiased estimate of MMD² (Gretton et al. 2012, eq. 3); it can be slightly negative. */
  statistic: number;
  /** (1 + #{permuted ≥ observed}) / (1 + permutations), or h / permutations run after a sequential stop. */
  pValue: number;
  /** RBF bandwidth σ in k(a, b) = exp(−‖a − b‖² / (2σ²)). */
  bandwidth: number;
  /** Permutations actually run (fewer than asked after a sequential stop). */
  permutations: number;
}

/** The plan: yields waves of tasks, receives their results in the same order. */
export type MmdPlan = Generator<MmdTask[], MmdResult, MmdTaskResult[]>;

const MIN_PERMUTATIONS = 200;
const DEFAULT_MAX_REFERENCE = 1000;
// Same tie tolerance as scipy.stats.permutation_test: sums taken in another order may
// differ from the observed value by rounding alone, and such ties must count.
const TIE_TOLERANCE = 1e-14;
/** Row chunks of the distance and kernel passes: fixed, so results do not depend on the thread count. */
const ROW_CHUNKS = 8;
/** Permutations per task; also the granularity at which a sequential stop saves work. */
const PERMUTATION_CHUNK = 25;

/** MMD permutation test of production sample x against reference sample y, in-process. */
export function mmdPermutationTest(x: EmbeddingSample, y: EmbeddingSample, options: MmdOptions, memories = new GramMemories()): MmdResult {
  const plan = mmdPlan(x, y, options, 1, memories);
  let step = plan.next();
  while (!step.done) step = plan.next(step.value.map(runMmdTask));
  return step.value;
}

/**
 * The test as waves of tasks; `parallelism` only sets how many permutation chunks one wave
 * holds (a sequential stop wastes at most one wave), never the result. The points and
 * distances live in a memory from `memories`, handed back when the plan returns; a plan
 * abandoned after a failed task keeps it (tasks of that wave may still be writing to it).
 */
export function* mmdPlan(x: EmbeddingSample, y: EmbeddingSample, options: MmdOptions, parallelism: number, memories: GramMemories): MmdPlan {
  const { permutations, seed, maxReference = DEFAULT_MAX_REFERENCE, stopAfterExceedances } = options;
  if (!Number.isInteger(permutations) || permutations < MIN_PERMUTATIONS) {
    throw new RangeError(`permutations must be an integer >= ${MIN_PERMUTATIONS}, got ${permutations}`);
  }
  if (!Number.isInteger(maxReference) || maxReference < 2) throw new RangeError(`maxReference must be an integer >= 2, got ${maxReference}`);
  if (stopAfterExceedances !== undefined && !(Number.isInteger(stopAfterExceedances) && stopAfterExceedances >= 1)) {
    throw new RangeError(`stopAfterExceedances must be a positive integer, got ${stopAfterExceedances}`);
  }
  if (x.length < 2 || y.length < 2) throw new RangeError('mmdPermutationTest needs at least 2 points in each sample');
  const random = mulberry32(seed);
  const reference = y.length > maxReference ? Array.from(sampleSortedIndices(random, y.length, maxReference), (i) => y[i]) : y;
  const { source, d } = pool(x, reference);
  const n = x.length + reference.length;
  const gram = memories.acquire(n, d);
  try {
    const { points, norms, squared: matrix } = gram;
    yield chunks(ROW_CHUNKS, (chunk) => ({ op: 'widen', source, points, norms, n, d, chunk, chunks: ROW_CHUNKS }));
    yield chunks(ROW_CHUNKS, (chunk) => ({ op: 'distances', gram, n, d, chunk, chunks: ROW_CHUNKS }));
    const [bandwidth] = (yield [{ op: 'bandwidth', squared: matrix, seed: streamSeed(seed, 0) }]) as number[];
    const partials = (yield chunks(ROW_CHUNKS, (chunk) => ({ op: 'kernel', matrix, n, bandwidth, chunk, chunks: ROW_CHUNKS }))) as Float64Array[];
    const pooled = combineRowSums(matrix, n, partials);

    const groupSize = Math.min(x.length, reference.length);
    const observedGroup = x.length <= reference.length ? range(0, groupSize) : range(x.length, n);
    const [statistic] = (yield [{ op: 'statistic', pooled, group: observedGroup }]) as number[];
    const threshold = statistic - Math.abs(statistic) * TIE_TOLERANCE;

    const wave = Math.max(1, parallelism);
    let run = 0;
    let exceeded = 0;
    for (let next = 0; next * PERMUTATION_CHUNK < permutations; ) {
      const tasks: MmdTask[] = [];
      for (; tasks.length < wave && next * PERMUTATION_CHUNK < permutations; next++) {
        const count = Math.min(PERMUTATION_CHUNK, permutations - next * PERMUTATION_CHUNK);
        tasks.push({ op: 'permutations', pooled, groupSize, threshold, count, seed: streamSeed(seed, next + 1) });
      }
      // Flags are scanned in permutation order, so the stop falls on the same permutation whatever the wave size.
      for (const flags of (yield tasks) as Uint8Array[]) {
        for (const flag of flags) {
          run++;
          exceeded += flag;
          if (stopAfterExceedances !== undefined && exceeded >= stopAfterExceedances) {
            return { statistic, pValue: exceeded / run, bandwidth, permutations: run };
          }
        }
      }
    }
    return { statistic, pValue: (1 + exceeded) / (1 + permutations), bandwidth, permutations };
  } finally {
    memories.release(gram);
  }
}

function chunks(count: number, task: (chunk: number) => MmdTask): MmdTask[] {
  return Array.from({ length: count }, (_, chunk) => task(chunk));
}

// Independent streams of one seed: the bandwidth sample (0) and each permutation chunk (1..).
function streamSeed(seed: number, stream: number): number {
  return (seed + Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
}

function combineRowSums(kernel: Float64Array, n: number, partials: readonly Float64Array[]): PooledKernel {
  // The diagonal k(a, a) = 1 is not stored, so every row sum starts from it.
  const rowSums = new Float64Array(n).fill(1);
  for (const partial of partials) for (let i = 0; i < n; i++) rowSums[i] += partial[i];
  let total = 0;
  for (const sum of rowSums) total += sum;
  return { kernel, rowSums, total, n };
}

/**
 * The pooled sample in shared memory, as the caller's rows hold it: float32 rows are copied
 * as they are (a memcpy, so the calling thread spends well under a millisecond), and the
 * worker threads widen them to float64 (`widen`), which is exact, so the numbers are those
 * of a float64 copy made here. Other rows (number[]) are kept as float64.
 */
function pool(x: EmbeddingSample, y: EmbeddingSample): { source: Float32Array | Float64Array; d: number } {
  const d = x[0].length;
  if (d === 0) throw new RangeError('embeddings must have at least one dimension');
  const allFloat32 = [x, y].every((sample) => sample.every((vector) => vector instanceof Float32Array));
  const length = (x.length + y.length) * d;
  const source = allFloat32 ? new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT)) : sharedFloat64(length);
  let offset = 0;
  for (const sample of [x, y]) {
    for (const vector of sample) {
      if (vector.length !== d) throw new RangeError(`embedding has ${vector.length} dimensions, expected ${d}`);
      source.set(vector, offset);
      offset += d;
    }
  }
  // Checked here, so that a bad sample is a RangeError wherever the test runs.
  for (let k = 0; k < source.length; k++) {
    if (!Number.isFinite(source[k])) throw new RangeError('embeddings must be finite numbers');
  }
  return { source, d };
}

function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

function range(start: number, end: number): Int32Array {
  return Int32Array.from({ length: end - start }, (_, i) => start + i);
}
