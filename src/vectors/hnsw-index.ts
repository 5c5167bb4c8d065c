import fs from 'node:fs';
import { TurnClock } from '../util/turn-clock.js';
import { plainArray } from '../util/vectors.js';
import { loadHnswlib } from './hnswlib-build.js';
import { float32Point, indexDistance, nearestOf, type Float32Point } from './index-distance.js';
import { checkIndexFile, commitIndex, matchesChecksum, type WrittenIndex } from './index-file.js';
import type { IndexPoint, Metric, Neighbors, VectorIndex } from './vector-index.js';

export { IndexWriteError } from './index-file.js';

const { HierarchicalNSW } = loadHnswlib();
type Native = InstanceType<typeof HierarchicalNSW>;

/** Graph parameters; `efSearch` is the recall/speed knob used at query time. */
export interface HnswParams {
  m: number;
  efConstruction: number;
  efSearch: number;
  /**
   * Most points the index will ever hold: it grows up to this and no further (an add past it
   * throws), so its memory is bounded (a generation of `GenerationalIndex`). Unset: unbounded.
   */
  capacity?: number | undefined;
}

/** efConstruction 64: recall@10 as with 200 on clustered data at 2.5× the insertion rate (docs/indexing.md, `npm run bench -- hnsw`). */
export const DEFAULT_HNSW: HnswParams = Object.freeze({ m: 16, efConstruction: 64, efSearch: 96 });

const INITIAL_CAPACITY = 1024;

/**
 * A point added while the graph is written on a libuv thread: held here, searched exactly,
 * inserted once the write is done. Its float32 values are what hnswlib-node would have taken
 * (it casts each number to float before it normalises), so inserting them later builds the same graph.
 */
interface HeldPoint extends Float32Point {
  label: number;
}

/** hnswlib-node behind `VectorIndex`: grows by resizing, reports true distances. */
export class HnswIndex implements VectorIndex {
  private index: Native;
  private readonly labels = new Set<number>();
  private loadedFrom: string | undefined;
  /**
   * Set while `writeElsewhere` runs: hnswlib copies the graph out on a libuv thread, so nothing
   * may change it. Adds wait here, in order, and searches see them (exactly, beside the graph's
   * answer); once the file is written they are inserted, in turns of the event loop.
   */
  private held: HeldPoint[] | undefined;
  /** `release` asked for while the graph was being written: done once the write is. */
  private releaseAfterWrite = false;

  private constructor(
    readonly metric: Metric,
    readonly dim: number,
    readonly params: HnswParams,
    loaded?: { index: Native; file: string },
  ) {
    if (loaded) {
      this.index = loaded.index;
      this.loadedFrom = loaded.file;
      for (const l of this.index.getIdsList()) this.labels.add(l);
    } else {
      this.index = new HierarchicalNSW(metric, dim);
      const maxElements = Math.min(INITIAL_CAPACITY, params.capacity ?? Infinity);
      this.index.initIndex({ maxElements, m: params.m, efConstruction: params.efConstruction, randomSeed: 100 });
    }
    this.index.setEf(params.efSearch);
  }

  static create(metric: Metric, dim: number, params: HnswParams = DEFAULT_HNSW): HnswIndex {
    return new HnswIndex(metric, dim, params);
  }

  /**
   * Loads a saved index, or returns undefined when the file is missing, unreadable, or not
   * what `save` wrote (its checksum differs): the caller then rebuilds it from the database.
   */
  static load(file: string, metric: Metric, dim: number, params: HnswParams = DEFAULT_HNSW): HnswIndex | undefined {
    if (!fs.existsSync(file) || !matchesChecksum(file)) return undefined;
    try {
      const index = new HierarchicalNSW(metric, dim);
      index.readIndexSync(file);
      return new HnswIndex(metric, dim, params, { index, file });
    } catch {
      return undefined;
    }
  }

  get size(): number {
    return this.labels.size;
  }

  /** The file this index was loaded from, while nothing has been added since. */
  get origin(): string | undefined {
    return this.loadedFrom;
  }

  has(label: number): boolean {
    return this.labels.has(label);
  }

  vector(label: number): number[] {
    const held = this.held?.find((h) => h.label === label);
    if (!held) return this.index.getPoint(label);
    // As hnswlib stores it: unit-normalised under cosine.
    const scale = this.metric === 'cosine' && held.norm > 0 ? 1 / held.norm : 1;
    return Array.from(held.vector, (x) => x * scale);
  }

  /** Every label held, in no particular order. */
  labelList(): number[] {
    return [...this.labels];
  }

  /** The smallest and the largest label, with the count; undefined when empty. */
  labelRange(): { count: number; first: number; last: number } | undefined {
    if (this.labels.size === 0) return undefined;
    let first = Infinity;
    let last = -Infinity;
    for (const l of this.labels) {
      if (l < first) first = l;
      if (l > last) last = l;
    }
    return { count: this.labels.size, first, last };
  }

  add(label: number, vector: ArrayLike<number>): void {
    if (this.labels.has(label)) return;
    const limit = this.params.capacity ?? Infinity;
    if (this.labels.size >= limit) throw new Error(`index full: it holds its capacity of ${limit} points`);
    if (this.held) {
      if (vector.length !== this.dim) throw new Error(`expected ${this.dim} dimensions, got ${vector.length}`);
      this.held.push({ label, ...float32Point(vector) });
    } else this.insert(label, vector);
    this.labels.add(label);
    this.loadedFrom = undefined;
  }

  /** Adds to the graph itself. */
  private insert(label: number, vector: ArrayLike<number>): void {
    const allocated = this.index.getMaxElements();
    if (this.index.getCurrentCount() >= allocated) this.index.resizeIndex(Math.min(Math.max(allocated * 2, INITIAL_CAPACITY), this.params.capacity ?? Infinity));
    this.index.addPoint(plainArray(vector), label);
  }

  async addMany(points: readonly IndexPoint[]): Promise<void> {
    const clock = new TurnClock();
    for (const p of points) {
      this.add(p.label, p.vector);
      await clock.tick();
    }
  }

  search(vector: ArrayLike<number>, k: number): Neighbors {
    const inGraph = this.labels.size - (this.held?.length ?? 0);
    const n = Math.min(k, inGraph);
    const found: Neighbors = { labels: [], distances: [] };
    if (n > 0) {
      // ef below k would silently cap the result size.
      const ef = Math.max(this.params.efSearch, n);
      if (this.index.getEf() !== ef) this.index.setEf(ef);
      const { neighbors, distances } = this.index.searchKnn(plainArray(vector), n);
      found.labels = neighbors;
      found.distances = this.metric === 'l2' ? distances.map((d) => Math.sqrt(Math.max(0, d))) : distances;
    }
    return this.held?.length ? nearestOf([found, this.searchHeld(vector, k)], k) : found;
  }

  /** The k nearest of the held points, by brute force, at the distances the graph reports. */
  private searchHeld(vector: ArrayLike<number>, k: number): Neighbors {
    const query = float32Point(vector);
    const held = this.held ?? [];
    return nearestOf([{ labels: held.map((h) => h.label), distances: held.map((h) => indexDistance(this.metric, query, h)) }], k);
  }

  /** Searches on this thread, taking event-loop turns between queries when they run long. */
  async searchMany(queries: Float64Array, k: number): Promise<Neighbors[]> {
    return searchEachInTurns(this, queries, k);
  }

  /**
   * Writes the index to a temp file, checks that it reads back whole, records its checksum,
   * and only then replaces `file`: a failed save leaves the previous file and throws.
   */
  save(file: string): void {
    const written = this.write(file);
    try {
      commitIndex(written, checkIndexFile(written));
    } finally {
      fs.rmSync(written.tmp, { force: true, recursive: true });
    }
  }

  /** Writes the index to `tmp`, for `commitIndex` to move over `file` once checked (`save` in steps). */
  write(file: string, tmp = `${file}.tmp`): WrittenIndex {
    // The graph lacks the held points: written now, the file would not hold what `count` says.
    if (this.held) throw new Error('the index is being written on another thread; write it once that is done');
    try {
      this.index.writeIndexSync(tmp);
    } catch (err) {
      fs.rmSync(tmp, { force: true, recursive: true });
      throw err;
    }
    return { file, tmp, metric: this.metric, dim: this.dim, count: this.labels.size };
  }

  /**
   * `write` on a libuv thread: hnswlib copies the graph out there while the event loop goes on.
   * The file holds the index as it is now; points added meanwhile are held (and searched) here
   * and go into the graph once the file is written, in order and in turns of the event loop,
   * before this resolves. Undefined while another such write runs (the caller waits for the next save).
   */
  writeElsewhere(file: string, tmp: string): Promise<WrittenIndex> | undefined {
    if (this.held) return undefined;
    const held: HeldPoint[] = [];
    this.held = held;
    const written: WrittenIndex = { file, tmp, metric: this.metric, dim: this.dim, count: this.labels.size };
    const done = (async () => {
      try {
        await this.index.writeIndex(tmp);
      } catch (err) {
        fs.rmSync(tmp, { force: true, recursive: true });
        throw err;
      } finally {
        await this.insertHeld(held);
      }
      return written;
    })();
    return done;
  }

  /** Inserts the points held during a write, in order, with a turn of the event loop whenever that has run long; then adds go to the graph again. */
  private async insertHeld(held: HeldPoint[]): Promise<void> {
    const clock = new TurnClock();
    // Points added while these go in are appended to `held`: taken from the front, order stays.
    // A `release` meanwhile empties it.
    while (held.length > 0 && !this.releaseAfterWrite) {
      const next = held[0]!;
      this.insert(next.label, next.vector);
      held.shift();
      await clock.tick();
    }
    this.held = undefined;
    if (this.releaseAfterWrite) {
      this.releaseAfterWrite = false;
      this.release();
    }
  }

  /**
   * Continues from `file`, which must hold this index as `save` just wrote it. hnswlib draws
   * each new point's graph level from a random generator that loading resets, so only an
   * index that was itself loaded from `file` grows exactly like another index loaded from it.
   */
  reopen(file: string): void {
    if (this.loadedFrom === file) return;
    if (this.held) throw new Error('the index is being written on another thread; reopen it once that is done');
    const fresh = new HierarchicalNSW(this.metric, this.dim);
    fresh.readIndexSync(file);
    if (fresh.getCurrentCount() !== this.labels.size) {
      throw new Error(`${file} holds ${fresh.getCurrentCount()} points, not this index's ${this.labels.size}`);
    }
    fresh.setEf(this.index.getEf());
    const old = this.index;
    this.index = fresh;
    this.loadedFrom = file;
    freeGraph(old);
  }

  /** Frees the graph now (once written, when a write runs); the index is empty and unusable after. */
  release(): void {
    if (this.held) {
      this.releaseAfterWrite = true;
      this.held.length = 0;
      this.labels.clear();
      return;
    }
    freeGraph(this.index);
    this.labels.clear();
    this.loadedFrom = undefined;
  }
}

/** Runs `index.search` for each `dim`-long query packed in `queries`, one answer at a time. */
function* eachSearch(index: VectorIndex, queries: Float64Array, k: number): Generator<Neighbors> {
  // One plain array refilled per query: hnswlib-node copies it, and takes nothing else.
  const query = new Array<number>(index.dim).fill(0);
  for (let at = 0; at < queries.length; at += index.dim) {
    for (let j = 0; j < index.dim; j++) query[j] = queries[at + j]!;
    yield index.search(query, k);
  }
}

/** Runs `index.search` for each `dim`-long query packed in `queries`. */
export function searchEach(index: VectorIndex, queries: Float64Array, k: number): Neighbors[] {
  return [...eachSearch(index, queries, k)];
}

/**
 * `searchEach`, with a turn of the event loop whenever the searches have run long, so that
 * other requests are served in between: for batches searched on the main thread. The clock is
 * read after every query, since one query takes from a few µs to a few ms (k, dims, size).
 */
export async function searchEachInTurns(index: VectorIndex, queries: Float64Array, k: number): Promise<Neighbors[]> {
  const found: Neighbors[] = [];
  const clock = new TurnClock();
  for (const answer of eachSearch(index, queries, k)) {
    found.push(answer);
    await clock.tick();
  }
  return found;
}

/** Frees a graph now rather than whenever the garbage collector finalizes it. */
function freeGraph(index: Native): void {
  index.initIndex({ maxElements: 1 });
}
