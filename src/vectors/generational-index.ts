import { HnswIndex, type HnswParams } from './hnsw-index.js';
import { nearestOf } from './index-distance.js';
import type { Metric, Neighbors } from './vector-index.js';

/** What one generation holds: its count and its smallest and largest label (none when empty). */
export type GenerationRange = { count: number; first: number; last: number } | { count: 0 };

/**
 * The newest points of a stream as two HNSW generations of plain adds: the current one takes
 * every add; once it holds `generationSize` points, the next add drops the previous generation
 * whole, makes the current one the previous, and starts a fresh one. So after n adds it holds
 * the newest n points while n ≤ 2 × generationSize, and from then on the newest
 * generationSize + ((n − 1) mod generationSize) + 1: never fewer than generationSize + 1,
 * never more than 2 × generationSize. Labels must grow with insertion order (a table's ids).
 *
 * Why not one index that drops its oldest point per add: hnswlib's replace-deleted add repairs
 * the links of the dropped point's neighbours, 4.4× the cost of a plain add in a full 200k
 * index (docs/indexing.md); dropping a generation whole frees its memory in one step.
 */
export class GenerationalIndex {
  private previous: HnswIndex;
  private current: HnswIndex;

  /** `previous` and `current` as `generations` returned them (fresh, or loaded from their files). */
  constructor(
    readonly generationSize: number,
    [previous, current]: HnswIndex[],
  ) {
    if (!previous || !current) throw new Error('a generational index needs two generations');
    if (current.params.capacity !== generationSize || previous.params.capacity !== generationSize) {
      throw new Error(`generations must have capacity ${generationSize}`);
    }
    this.previous = previous;
    this.current = current;
  }

  /** The HNSW parameters of a generation holding `generationSize` points. */
  static params(graph: HnswParams, generationSize: number): HnswParams {
    return { ...graph, capacity: generationSize };
  }

  get metric(): Metric {
    return this.current.metric;
  }

  get dim(): number {
    return this.current.dim;
  }

  get size(): number {
    return this.previous.size + this.current.size;
  }

  /** Previous, then current: the order their files are saved and loaded in. */
  get generations(): [HnswIndex, HnswIndex] {
    return [this.previous, this.current];
  }

  /**
   * Count and label range of the previous and the current generation, to check saved files
   * against: read from the generations' labels (a walk of each, done on save and load only).
   */
  get generationRanges(): [GenerationRange, GenerationRange] {
    return [this.previous.labelRange() ?? { count: 0 }, this.current.labelRange() ?? { count: 0 }];
  }

  /** The oldest label held, if any. */
  get first(): number | undefined {
    const [old, cur] = this.generationRanges;
    return 'first' in old ? old.first : 'first' in cur ? cur.first : undefined;
  }

  has(label: number): boolean {
    return this.current.has(label) || this.previous.has(label);
  }

  add(label: number, vector: ArrayLike<number>): void {
    if (this.has(label)) return;
    if (this.current.size >= this.generationSize) this.rotate();
    this.current.add(label, vector);
  }

  /** The k nearest of both generations, nearest first. */
  search(vector: ArrayLike<number>, k: number): Neighbors {
    const cur = this.current.search(vector, k);
    if (this.previous.size === 0) return cur;
    return nearestOf([cur, this.previous.search(vector, k)], k);
  }

  private rotate(): void {
    const dropped = this.previous;
    this.previous = this.current;
    this.current = HnswIndex.create(dropped.metric, dropped.dim, dropped.params);
    dropped.release();
  }
}
