import { HnswIndex, type HnswParams } from './hnsw-index.js';
import { float32Point, indexDistance, nearestOf } from './index-distance.js';
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
 *
 * Beside each graph, a map from a hash of each point's float32 values to its label: a search
 * also finds a point sent again exactly, which the graph alone misses now and then (on hard data,
 * one exact resend in seven at 256 dims: `npm run bench -- duplicates`, docs/indexing.md).
 */
export class GenerationalIndex {
  private previous: HnswIndex;
  private current: HnswIndex;
  private previousExact: ExactMatches;
  private currentExact: ExactMatches;

  /**
   * `previous` and `current` as `generations` returned them (fresh, or loaded from their files),
   * and the exact-match keys `exactState` returned with them (none, or keys that do not fit the
   * files: searches find exact resends of the loaded points through the graphs alone).
   */
  constructor(
    readonly generationSize: number,
    [previous, current]: HnswIndex[],
    exact?: ExactState,
  ) {
    if (!previous || !current) throw new Error('a generational index needs two generations');
    if (current.params.capacity !== generationSize || previous.params.capacity !== generationSize) {
      throw new Error(`generations must have capacity ${generationSize}`);
    }
    this.previous = previous;
    this.current = current;
    this.previousExact = ExactMatches.restore(exact?.[0], previous);
    this.currentExact = ExactMatches.restore(exact?.[1], current);
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
    this.currentExact.add(exactKey(vector), label);
  }

  /** The k nearest of both generations, nearest first, with a point of exactly the query's float32 values among them. */
  search(vector: ArrayLike<number>, k: number): Neighbors {
    const cur = this.current.search(vector, k);
    const found = this.previous.size === 0 ? cur : nearestOf([cur, this.previous.search(vector, k)], k);
    return this.withExact(vector, found, k);
  }

  /** The exact-match keys of the previous and the current generation, to save beside their files. */
  exactState(): ExactState {
    return [this.previousExact.encode(), this.currentExact.encode()];
  }

  /**
   * `found` with the newest point whose float32 values hash as the query's, at its distance,
   * when the graphs missed it. A key shared by other values only adds a farther candidate.
   */
  private withExact(vector: ArrayLike<number>, found: Neighbors, k: number): Neighbors {
    if (k <= 0) return found;
    const key = exactKey(vector);
    const fromCurrent = this.currentExact.get(key);
    const label = fromCurrent ?? this.previousExact.get(key);
    if (label === undefined || found.labels.includes(label)) return found;
    const stored = (fromCurrent !== undefined ? this.current : this.previous).vector(label);
    const distance = indexDistance(this.metric, float32Point(vector), float32Point(stored));
    return nearestOf([{ labels: [label], distances: [distance] }, found], k);
  }

  private rotate(): void {
    const dropped = this.previous;
    this.previous = this.current;
    this.previousExact = this.currentExact;
    this.current = HnswIndex.create(dropped.metric, dropped.dim, dropped.params);
    this.currentExact = new ExactMatches();
    dropped.release();
  }
}

/** Each generation's exact-match keys as saved: base64 of their Int32 values, in the order of the generation's labels. */
export type ExactState = [previous: string, current: string];

/**
 * One generation's points by a hash of their float32 values. The keys are also kept in the
 * order the points came, which is the order of their labels (labels grow with insertion), so
 * a save writes only the keys (4 bytes a point) and a load pairs them with the sorted labels.
 * Were a key ever paired with the wrong label, the search would measure that point's true
 * distance and find it too far: a missed shortcut, never a false duplicate.
 */
class ExactMatches {
  private readonly labels = new Map<number, number>();
  /** Grown by doubling as points come, like the graph: a window may be set far larger than a model ever fills. */
  private keys = new Int32Array(1024);
  private count = 0;

  /** The keys saved with `generation`'s file, or none when their count is not the generation's. */
  static restore(saved: string | undefined, generation: HnswIndex): ExactMatches {
    const matches = new ExactMatches();
    if (saved === undefined) return matches;
    const bytes = Buffer.from(saved, 'base64');
    if (bytes.length !== generation.size * 4) return matches;
    const labels = generation.labelList().sort((a, b) => a - b);
    labels.forEach((label, i) => matches.add(bytes.readInt32LE(i * 4), label));
    return matches;
  }

  /** The newest point of equal values wins: the one a resend should add weight to. */
  add(key: number, label: number): void {
    if (this.count === this.keys.length) {
      const grown = new Int32Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    this.keys[this.count++] = key;
    this.labels.set(key, label);
  }

  get(key: number): number | undefined {
    return this.labels.get(key);
  }

  encode(): string {
    return Buffer.from(this.keys.buffer, this.keys.byteOffset, this.count * 4).toString('base64');
  }
}

/**
 * A 31-bit hash of the values as float32 (a small integer: V8 keeps such map keys unboxed). Two
 * different points share one about once per two billion pairs, which costs nothing but a
 * candidate too far to count: the search measures the distance of what the map names.
 */
export function exactKey(vector: ArrayLike<number>): number {
  const n = vector.length;
  if (scratch.floats.length < n) scratch = wordsOf(n);
  const { floats, words } = scratch;
  for (let i = 0; i < n; i++) floats[i] = vector[i]!;
  let h = 0x811c9dc5 ^ n;
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ words[i]!, 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/** Float32 values and their bits, one buffer: `exactKey` writes a vector's values and reads their words. */
function wordsOf(n: number): { floats: Float32Array; words: Uint32Array } {
  const buffer = new ArrayBuffer(n * 4);
  return { floats: new Float32Array(buffer), words: new Uint32Array(buffer) };
}

let scratch = wordsOf(0);
