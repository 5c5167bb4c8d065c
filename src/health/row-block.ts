import type { ExampleSnapshot } from './example-snapshot.js';
import { ROW_DISTANCES_WASM_BASE64 } from './row-distances-wasm.js';

interface RowDistanceKernel {
  distances(d: number, cosine: number, query: number, rows: number, count: number, out: number): void;
}

const PAGE_BYTES = 65536;
/** A 32-bit wasm memory holds at most 65536 pages (4 GiB). */
const MAX_PAGES = 65536;

let compiled: WebAssembly.Module | undefined;

/**
 * Memories of finished blocks, for the next ones: V8 reserves gigabytes of address space for
 * every wasm memory and gives it back only when the memory is collected, so they are reused
 * rather than made per block. It keeps at most as many as were ever in use at once.
 */
export class RowBlockMemories {
  private readonly idle: WebAssembly.Memory[] = [];

  /** A memory of at least `pages` 64 KB pages; hand it back with `release`. */
  acquire(pages: number): WebAssembly.Memory {
    const memory = this.idle.pop() ?? new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES });
    const size = memory.buffer.byteLength / PAGE_BYTES;
    if (size < pages) memory.grow(pages - size);
    return memory;
  }

  release(memory: WebAssembly.Memory): void {
    this.idle.push(memory);
  }
}

/**
 * Some snapshot rows copied side by side into a WebAssembly memory, to measure many other rows
 * against: row-distances.wat on 128-bit SIMD, which gives each distance exactly as
 * `rowDistance` does (the same float64 operations in the same order) at about 3.5× its speed
 * (1M pairs at 64 dims: 54 ms against 180 ms on the 2-core machine).
 */
export class RowBlock {
  readonly memory: WebAssembly.Memory;
  private readonly kernel: RowDistanceKernel;
  private readonly query: Float32Array;
  private readonly out: Float64Array;

  constructor(
    private readonly memories: RowBlockMemories,
    private readonly snap: ExampleSnapshot,
    rows: readonly number[],
  ) {
    const { dim } = snap;
    const vectorBytes = (rows.length + 1) * dim * Float32Array.BYTES_PER_ELEMENT;
    const outOffset = Math.ceil(vectorBytes / 8) * 8;
    const pages = Math.max(1, Math.ceil((outOffset + rows.length * Float64Array.BYTES_PER_ELEMENT) / PAGE_BYTES));
    if (pages > MAX_PAGES) throw new RangeError(`${rows.length} rows of ${dim} dimensions do not fit in a 4 GiB WebAssembly memory`);
    const memory = memories.acquire(pages);
    this.memory = memory;
    compiled ??= new WebAssembly.Module(Buffer.from(ROW_DISTANCES_WASM_BASE64, 'base64'));
    this.kernel = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as RowDistanceKernel;
    const block = new Float32Array(memory.buffer, 0, rows.length * dim);
    rows.forEach((row, i) => block.set(snap.vectors.subarray(row * dim, (row + 1) * dim), i * dim));
    this.query = new Float32Array(memory.buffer, block.byteLength, dim);
    this.out = new Float64Array(memory.buffer, outOffset, rows.length);
  }

  /** Distances from snapshot row `row` to the first `count` rows of the block, in block order (a view, valid until the next call). */
  distancesFrom(row: number, count: number): Float64Array {
    const { dim, cosine, vectors } = this.snap;
    this.query.set(vectors.subarray(row * dim, (row + 1) * dim));
    this.kernel.distances(dim, cosine ? 1 : 0, this.query.byteOffset, 0, count, this.out.byteOffset);
    return this.out.subarray(0, count);
  }

  /** Hands the memory to the next block; this one may not be used again. */
  release(): void {
    this.memories.release(this.memory);
  }
}
