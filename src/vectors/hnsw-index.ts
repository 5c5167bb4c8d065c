import fs from 'node:fs';
import hnswlib from 'hnswlib-node';
import type { Metric, Neighbors, VectorIndex } from './vector-index.js';

const { HierarchicalNSW } = hnswlib;

/** Graph parameters; `efSearch` is the recall/speed knob used at query time. */
export interface HnswParams {
  m: number;
  efConstruction: number;
  efSearch: number;
}

export const DEFAULT_HNSW: HnswParams = Object.freeze({ m: 16, efConstruction: 200, efSearch: 96 });

const INITIAL_CAPACITY = 1024;

/** hnswlib-node behind `VectorIndex`: grows by resizing, reports true distances. */
export class HnswIndex implements VectorIndex {
  private readonly index: InstanceType<typeof HierarchicalNSW>;
  private readonly labels = new Set<number>();

  private constructor(
    readonly metric: Metric,
    readonly dim: number,
    private readonly params: HnswParams,
    index?: InstanceType<typeof HierarchicalNSW>,
  ) {
    if (index) {
      this.index = index;
      for (const l of index.getIdsList()) this.labels.add(l);
    } else {
      this.index = new HierarchicalNSW(metric, dim);
      this.index.initIndex({ maxElements: INITIAL_CAPACITY, m: params.m, efConstruction: params.efConstruction, randomSeed: 100 });
    }
    this.index.setEf(params.efSearch);
  }

  static create(metric: Metric, dim: number, params: HnswParams = DEFAULT_HNSW): HnswIndex {
    return new HnswIndex(metric, dim, params);
  }

  /** Loads a saved index, or returns undefined when the file is missing or unreadable. */
  static load(file: string, metric: Metric, dim: number, params: HnswParams = DEFAULT_HNSW): HnswIndex | undefined {
    if (!fs.existsSync(file)) return undefined;
    try {
      const index = new HierarchicalNSW(metric, dim);
      index.readIndexSync(file);
      return new HnswIndex(metric, dim, params, index);
    } catch {
      return undefined;
    }
  }

  get size(): number {
    return this.labels.size;
  }

  has(label: number): boolean {
    return this.labels.has(label);
  }

  vector(label: number): number[] {
    return this.index.getPoint(label);
  }

  add(label: number, vector: ArrayLike<number>): void {
    if (this.labels.has(label)) return;
    const capacity = this.index.getMaxElements();
    if (this.labels.size >= capacity) this.index.resizeIndex(Math.max(capacity * 2, INITIAL_CAPACITY));
    // hnswlib-node takes plain arrays only.
    this.index.addPoint(Array.from(vector), label);
    this.labels.add(label);
  }

  search(vector: ArrayLike<number>, k: number): Neighbors {
    const n = Math.min(k, this.labels.size);
    if (n === 0) return { labels: [], distances: [] };
    // ef below k would silently cap the result size.
    const ef = Math.max(this.params.efSearch, n);
    if (this.index.getEf() !== ef) this.index.setEf(ef);
    const { neighbors, distances } = this.index.searchKnn(Array.from(vector), n);
    return { labels: neighbors, distances: this.metric === 'l2' ? distances.map((d) => Math.sqrt(Math.max(0, d))) : distances };
  }

  save(file: string): void {
    const tmp = `${file}.tmp`;
    this.index.writeIndexSync(tmp);
    fs.renameSync(tmp, file);
  }
}
