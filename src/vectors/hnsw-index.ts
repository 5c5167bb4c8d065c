import fs from 'node:fs';
import hnswlib from 'hnswlib-node';
import { checkIndexFile, commitIndex, matchesChecksum, type WrittenIndex } from './index-file.js';
import type { Metric, Neighbors, VectorIndex } from './vector-index.js';

export { IndexWriteError } from './index-file.js';

const { HierarchicalNSW } = hnswlib;
type Native = InstanceType<typeof HierarchicalNSW>;

/** Graph parameters; `efSearch` is the recall/speed knob used at query time. */
export interface HnswParams {
  m: number;
  efConstruction: number;
  efSearch: number;
  /**
   * Keep only the newest this many points: each add past it drops the point added first and
   * reuses its slot, so memory stays bounded however many points come (labels must grow with
   * insertion order, as a table's ids do). Unset: keep everything.
   */
  window?: number | undefined;
}

/** efConstruction 64: recall@10 as with 200 on clustered data at 2.5× the insertion rate (docs/indexing.md, `npm run bench -- hnsw`). */
export const DEFAULT_HNSW: HnswParams = Object.freeze({ m: 16, efConstruction: 64, efSearch: 96 });

const INITIAL_CAPACITY = 1024;

/** hnswlib-node behind `VectorIndex`: grows by resizing, reports true distances. */
export class HnswIndex implements VectorIndex {
  private index: Native;
  private readonly labels = new Set<number>();
  /** With a window: labels oldest first (from `head` on), to know which one to drop. */
  private order: number[] = [];
  private head = 0;
  private loadedFrom: string | undefined;

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
      if (params.window) this.order = [...this.labels].sort((a, b) => a - b);
    } else {
      this.index = new HierarchicalNSW(metric, dim);
      const maxElements = Math.min(INITIAL_CAPACITY, params.window ?? Infinity);
      this.index.initIndex({ maxElements, m: params.m, efConstruction: params.efConstruction, randomSeed: 100, allowReplaceDeleted: params.window !== undefined });
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
      index.readIndexSync(file, params.window !== undefined);
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
    return this.index.getPoint(label);
  }

  add(label: number, vector: ArrayLike<number>): void {
    if (this.labels.has(label)) return;
    const window = this.params.window;
    const capacity = this.index.getMaxElements();
    if (window !== undefined && this.labels.size >= window) {
      // Drop the oldest point and put the new one in its slot, in one step: no deleted point is ever left behind.
      const oldest = this.order[this.head++]!;
      this.index.markDelete(oldest);
      this.labels.delete(oldest);
      this.index.addPoint(plainArray(vector), label, true);
      if (this.head > this.order.length / 2) {
        this.order = this.order.slice(this.head);
        this.head = 0;
      }
    } else {
      if (this.labels.size >= capacity) this.index.resizeIndex(Math.min(Math.max(capacity * 2, INITIAL_CAPACITY), window ?? Infinity));
      this.index.addPoint(plainArray(vector), label);
    }
    this.labels.add(label);
    if (window !== undefined) this.order.push(label);
    this.loadedFrom = undefined;
  }

  search(vector: ArrayLike<number>, k: number): Neighbors {
    const n = Math.min(k, this.labels.size);
    if (n === 0) return { labels: [], distances: [] };
    // ef below k would silently cap the result size.
    const ef = Math.max(this.params.efSearch, n);
    if (this.index.getEf() !== ef) this.index.setEf(ef);
    const { neighbors, distances } = this.index.searchKnn(plainArray(vector), n);
    return { labels: neighbors, distances: this.metric === 'l2' ? distances.map((d) => Math.sqrt(Math.max(0, d))) : distances };
  }

  async searchMany(queries: Float64Array, k: number): Promise<Neighbors[]> {
    return searchEach(this, queries, k);
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
    try {
      this.index.writeIndexSync(tmp);
    } catch (err) {
      fs.rmSync(tmp, { force: true, recursive: true });
      throw err;
    }
    return { file, tmp, metric: this.metric, dim: this.dim, count: this.labels.size };
  }

  /**
   * Continues from `file`, which must hold this index as `save` just wrote it. hnswlib draws
   * each new point's graph level from a random generator that loading resets, so only an
   * index that was itself loaded from `file` grows exactly like another index loaded from it.
   */
  reopen(file: string): void {
    if (this.loadedFrom === file) return;
    const fresh = new HierarchicalNSW(this.metric, this.dim);
    fresh.readIndexSync(file, this.params.window !== undefined);
    if (fresh.getCurrentCount() !== this.labels.size) {
      throw new Error(`${file} holds ${fresh.getCurrentCount()} points, not this index's ${this.labels.size}`);
    }
    fresh.setEf(this.index.getEf());
    const old = this.index;
    this.index = fresh;
    this.loadedFrom = file;
    // Frees the old graph now rather than whenever the garbage collector finalizes it.
    old.initIndex({ maxElements: 1 });
  }
}

/** Runs `index.search` for each `dim`-long query packed in `queries`. */
export function searchEach(index: VectorIndex, queries: Float64Array, k: number): Neighbors[] {
  const found: Neighbors[] = [];
  // One plain array refilled per query: hnswlib-node copies it, and takes nothing else.
  const query = new Array<number>(index.dim).fill(0);
  for (let at = 0; at < queries.length; at += index.dim) {
    for (let j = 0; j < index.dim; j++) query[j] = queries[at + j]!;
    found.push(index.search(query, k));
  }
  return found;
}

// hnswlib-node takes plain arrays only.
function plainArray(vector: ArrayLike<number>): number[] {
  return Array.isArray(vector) ? (vector as number[]) : Array.from(vector);
}
