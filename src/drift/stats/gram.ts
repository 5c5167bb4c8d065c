// Pairwise squared Euclidean distances between the rows of a row-major n×d matrix, stored
// as the packed strict upper triangle (pair i < j at rowBase(n, i) + j): half the memory
// of a full n×n matrix, and the diagonal is known anyway.
//
// This is the hot loop of the MMD test (n = 1000, d = 512 means 2.6·10⁸ multiply-adds). It
// runs as a small hand-written WebAssembly module with 128-bit SIMD (gram.wat, compiled into
// gram-wasm.ts): ‖a‖² + ‖b‖² − 2a·b, four rows against two columns at once, two float64
// lanes each, about 4x faster than the same blocking in scalar JS (docs/drift.md). The
// points, norms and triangle live in one shared WebAssembly memory, so worker threads read
// and write them in place. Rows come in blocks of four, dealt round-robin to `chunks`
// workers so that every chunk gets a fair share of the triangle's long and short rows.

import { GRAM_WASM_BASE64 } from './gram-wasm.js';

const BLOCK = 4;
const PAGE_BYTES = 65536;
/** A 32-bit wasm memory holds at most 65536 pages (4 GiB). */
const MAX_PAGES = 65536;

/** The pooled points (row-major n×d), their squared norms and the distance triangle, in one shared wasm memory. */
export interface GramMemory {
  memory: WebAssembly.Memory;
  points: Float64Array;
  norms: Float64Array;
  squared: Float64Array;
}

interface GramKernel {
  blockRows(n: number, d: number, points: number, norms: number, out: number, start: number): void;
}

/** Offset such that pair (i, j), i < j, sits at `rowBase(n, i) + j` in the packed triangle. */
export function rowBase(n: number, i: number): number {
  return (i * (2 * n - i - 1)) / 2 - i - 1;
}

/** First rows of the blocks of chunk `chunk` out of `chunks`. */
export function blockRowsOf(n: number, chunk: number, chunks: number): number[] {
  const starts: number[] = [];
  for (let start = chunk * BLOCK; start < n; start += chunks * BLOCK) starts.push(start);
  return starts;
}

/** Every row of the blocks starting at `starts`. */
export function rowsOfBlocks(n: number, starts: readonly number[]): number[] {
  return starts.flatMap((start) => Array.from({ length: Math.min(BLOCK, n - start) }, (_, r) => start + r));
}

/**
 * Shared wasm memories for the tests, reused: V8 reserves about 10 GiB of address space for
 * each shared wasm memory (guard regions), and gives it back only when the last thread
 * holding the memory collects its garbage, which a thread that allocates little may not do
 * for thousands of tests. So a runner keeps one memory per test running at once, grown to
 * the largest test it ran and never shrunk.
 */
export class GramMemories {
  private readonly idle: WebAssembly.Memory[] = [];

  /** Memory for n points of d dimensions and their n(n − 1)/2 squared distances; hand it back with `release`. */
  acquire(n: number, d: number): GramMemory {
    const pairs = (n * (n - 1)) / 2;
    const bytes = (n * d + n + pairs) * Float64Array.BYTES_PER_ELEMENT;
    const pages = Math.ceil(bytes / PAGE_BYTES);
    if (pages > MAX_PAGES) throw new RangeError(`${n} points of ${d} dimensions need ${bytes} bytes, more than a 4 GiB WebAssembly memory`);
    const memory = this.idle.pop() ?? new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
    const size = memory.buffer.byteLength / PAGE_BYTES;
    if (size < pages) memory.grow(pages - size);
    const points = new Float64Array(memory.buffer, 0, n * d);
    const norms = new Float64Array(memory.buffer, points.byteOffset + points.byteLength, n);
    const squared = new Float64Array(memory.buffer, norms.byteOffset + norms.byteLength, pairs);
    return { memory, points, norms, squared };
  }

  /** Makes the memory of a finished test available to the next; nothing may still read or write it. */
  release({ memory }: GramMemory): void {
    this.idle.push(memory);
  }
}

let compiled: WebAssembly.Module | undefined;

// One compilation per thread (0.4 ms); an instance per call is cheap (about 2 µs) and a
// memory posted to a worker arrives as a new object each time, so there is nothing to cache.
function kernelFor(memory: WebAssembly.Memory): GramKernel {
  compiled ??= new WebAssembly.Module(Buffer.from(GRAM_WASM_BASE64, 'base64'));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as GramKernel;
}

/** Fills the rows of the blocks starting at `starts` of the distance triangle, from the points and norms. */
export function squaredDistancesOfRows({ memory, points, norms, squared }: GramMemory, n: number, d: number, starts: readonly number[]): void {
  const kernel = kernelFor(memory);
  for (const start of starts) kernel.blockRows(n, d, points.byteOffset, norms.byteOffset, squared.byteOffset, start);
}
