import type { Neighbors, VectorIndex } from '../vectors/vector-index.js';
import { TurnClock } from '../util/turn-clock.js';
import { Calibration } from './calibration.js';

/** One labeled example as the reference distribution sees it. */
export interface ReferencePoint {
  seq: number;
  id: string;
  split: 'train' | 'eval';
  concepts: string[];
  embedding: ArrayLike<number>;
}

/** A neighbour from the train split, with what a labeler or a vote needs. */
export interface ReferenceNeighbor {
  seq: number;
  id: string;
  /** Shared by every neighbour with the same concepts: read it, do not change it. */
  concepts: readonly string[];
  distance: number;
}

/** The OOD measurement of one embedding against the train split. */
export interface OodMeasurement {
  /** Mean distance to the k nearest train examples. */
  distance: number;
  /** Conformal percentile of `distance` among calibration distances, in [0, 1]. */
  score: number;
  neighbors: ReferenceNeighbor[];
}

export interface ReferenceSetOptions {
  k: number;
  /** Below this many eval examples, calibrate on leave-one-out train distances. */
  minCalibration: number;
}

/** Persisted calibration entry: eval label, its mean k-NN distance, its k-th neighbour distance. */
export type CalibrationEntry = [label: number, distance: number, kth: number];

const LOO_SAMPLE = 2000;
const NO_CONCEPTS: readonly string[] = Object.freeze([]);
/**
 * How many eval neighbours of a new train point are checked for a changed k-NN distance.
 * "I am in your k-NN ball" is not symmetric, so checking only k of them misses some.
 */
const REFRESH_FANOUT = 4;
/**
 * The share of an add's calibration searches the calling thread offers to answer itself while a
 * search replica answers the rest. During a bulk load one replica keeps up and the calibration
 * of each batch was the longest step under the model's lock, with the main thread waiting; at
 * other times every search thread takes a part and the train index declines the offer.
 */
const CALIBRATION_SHARE_HERE = 0.4;

/**
 * A model's training distribution: the HNSW index over the train split, an index
 * over the eval split, and the conformal calibration kept current as examples arrive.
 */
export class ReferenceSet {
  readonly calibration = new Calibration();
  private readonly kth = new Map<number, number>();
  /**
   * The k nearest train distances of each eval point whose k are known, ascending. A new train
   * point inside an eval point's k-th radius then replaces the farthest of them, at the distance
   * the eval-index search that found the pair already measured: no train search and no read of
   * the eval vector back out of hnswlib, which were a quarter of a bulk load's CPU
   * (docs/benchmarks.md, "Bulk loading"). Points restored from a snapshot have no list until a
   * search gives them one. About 0.3 KB per eval point at k = 10 (docs/indexing.md).
   */
  private readonly nearest = new Map<number, Float64Array>();
  /**
   * Id and concepts of every point by seq, as shared values: an object and an array per point
   * were three heap objects per train example (300k at 100k examples) that every major GC of
   * the main thread marked again. Concepts are read for every neighbour of every prediction
   * scored (1,000 per batch of 100), so they sit in an array indexed by seq: a load where a map
   * of 100k entries cost a cache miss or two per lookup (about 0.15 ms per batch). Where a
   * model's seqs are sparse (other models' examples between them), V8 keeps the array as a
   * dictionary, as costly as the map was.
   */
  private readonly ids = new Map<number, string>();
  private readonly concepts: (readonly string[] | undefined)[] = [];
  /** One frozen array per distinct set of concepts, which `concepts` points to. */
  private readonly conceptSets = new Map<string, readonly string[]>();
  private loo: { calibration: Calibration; trainSize: number } | undefined;
  /** The add in progress: its train points are in, its recalibration may not be yet. */
  private applying: Promise<void> = Promise.resolve();
  highWater = 0;

  constructor(
    readonly train: VectorIndex,
    readonly evalIndex: VectorIndex,
    private options: ReferenceSetOptions,
  ) {}

  get k(): number {
    return this.options.k;
  }

  get minCalibration(): number {
    return this.options.minCalibration;
  }

  /** Restores calibration saved beside the indexes. */
  restoreCalibration(entries: CalibrationEntry[]): void {
    for (const [label, distance, kth] of entries) {
      this.calibration.set(label, distance);
      this.kth.set(label, kth);
      this.nearest.delete(label);
    }
  }

  calibrationEntries(): CalibrationEntry[] {
    return [...this.calibration.entries()].map(([label, d]) => [label, d, this.kth.get(label) ?? Infinity]);
  }

  /** Registers id and concepts of a point already in an index (used when loading). */
  remember(seq: number, id: string, concepts: readonly string[]): void {
    this.ids.set(seq, id);
    this.concepts[seq] = this.conceptSet(concepts);
  }

  conceptsOf(seq: number): readonly string[] | undefined {
    return this.concepts[seq];
  }

  /** Changes k or the calibration minimum; recomputes every calibration distance when k changes. */
  reconfigure(options: ReferenceSetOptions): void {
    const kChanged = options.k !== this.options.k;
    this.options = options;
    if (kChanged) {
      this.loo = undefined;
      for (const [label] of this.calibration.entries()) this.recalibrate(label, this.evalIndex.vector(label));
    }
  }

  /**
   * Adds points in order: train first, then recalibrates the eval points they affect and the
   * new eval points. The recalibrating train searches go out as one batch, which the train
   * index may answer off the main thread (its search replica) while the new eval points are
   * inserted here: the two indexes grow on two cores. Call one at a time (the registry's lock).
   */
  add(points: ReferencePoint[]): Promise<void> {
    this.applying = this.addNow(points);
    return this.applying;
  }

  /** Resolves once the add in progress, if any, has finished recalibrating (whether or not it succeeded). */
  settled(): Promise<void> {
    return this.applying.catch(() => undefined);
  }

  private async addNow(points: ReferencePoint[]): Promise<void> {
    const affected = new Set<number>();
    const k = this.options.k;
    const newTrain = points.filter((p) => p.split === 'train' && !this.train.has(p.seq));
    for (const p of points) {
      this.remember(p.seq, p.id, p.concepts);
      this.highWater = Math.max(this.highWater, p.seq);
    }
    // A new train point changes an eval point's k-NN distance only if it falls inside its k-th
    // radius. The eval neighbours of every new train point, in one batch, asked first: they do not
    // depend on the train index, so a replicated eval index answers them in a search thread while
    // the train points go in, and the answers are the ones a search here would give.
    const searching = newTrain.length > 0 ? this.evalIndex.searchMany(packed(newTrain, this.evalIndex.dim), REFRESH_FANOUT * k) : Promise.resolve([]);
    // Awaited below; handled now, since it may fail while the train points go in.
    searching.catch(() => undefined);
    // With a turn of the event loop whenever a step has run long: a bulk load's batch of 1,000
    // held the event loop for about 300 ms at once, and every other request (a labeler's claim)
    // with it. A replicated train index hands the batch to its replica before inserting it here.
    await this.train.addMany(newTrain.map((p) => ({ label: p.seq, vector: p.embedding })));
    const clock = new TurnClock();
    const updated = new Set<number>();
    for (const near of await searching) {
      near.labels.forEach((label, i) => {
        const distance = near.distances[i]!;
        if (!(distance < (this.kth.get(label) ?? Infinity))) return;
        const list = affected.has(label) ? undefined : this.nearest.get(label);
        if (!list) {
          affected.add(label);
          return;
        }
        this.kth.set(label, insertNearer(list, distance));
        updated.add(label);
      });
      await clock.tick();
    }
    for (const label of updated) this.calibration.set(label, mean(this.nearest.get(label)!));
    for (const [label, kth] of this.kth) if (kth === Infinity) affected.add(label);
    const fresh = points.filter((p) => p.split === 'eval' && !this.evalIndex.has(p.seq) && !affected.has(p.seq));
    const labels = [...affected, ...fresh.map((p) => p.seq)];
    const dim = this.train.dim;
    const queries = new Float64Array(labels.length * dim);
    let i = 0;
    for (const label of affected) {
      queries.set(this.evalIndex.vector(label), i++ * dim);
      await clock.tick();
    }
    fresh.forEach((p, j) => queries.set(p.embedding, (affected.size + j) * dim));
    const searched = labels.length > 0 ? this.train.searchMany(queries, k, CALIBRATION_SHARE_HERE) : Promise.resolve([]);
    // Awaited below; handled now, since it may fail while the eval points go in.
    searched.catch(() => undefined);
    for (const p of fresh) {
      this.evalIndex.add(p.seq, p.embedding);
      await clock.tick();
    }
    const found = await searched;
    labels.forEach((label, i) => this.setCalibration(label, found[i]!));
  }

  /** The k nearest train examples of `vector`. */
  neighbors(vector: ArrayLike<number>, k = this.options.k): ReferenceNeighbor[] {
    return this.toNeighbors(this.train.search(vector, k));
  }

  /** Measures how far `vector` lies from the train split, calibrated. */
  measure(vector: ArrayLike<number>): OodMeasurement {
    return this.measurement(this.train.search(vector, this.options.k), this.activeCalibration().percentiles());
  }

  /**
   * Measures many vectors in one batch search, which the train index may run off the main
   * thread. Scored as of the call: later calibration changes do not apply.
   */
  async measureMany(vectors: ArrayLike<number>[]): Promise<OodMeasurement[]> {
    if (vectors.length === 0) return [];
    // Never against a half-applied batch: its train points in, their calibration not yet.
    await this.settled();
    const percentile = this.activeCalibration().percentiles();
    const dim = this.train.dim;
    // Shared memory: the search thread reads the queries where they are, not a structured-clone copy.
    const queries = new Float64Array(new SharedArrayBuffer(vectors.length * dim * Float64Array.BYTES_PER_ELEMENT));
    // A loop, not `queries.set(v, at)`: into shared memory, `set` copies a plain array element by element at several times the cost.
    vectors.forEach((v, i) => {
      const at = i * dim;
      for (let j = 0; j < dim; j++) queries[at + j] = v[j]!;
    });
    const found = await this.train.searchMany(queries, this.options.k);
    return found.map((f) => this.measurement(f, percentile));
  }

  /** Eval-split calibration, or leave-one-out train distances while the eval split is small. */
  activeCalibration(): Calibration {
    if (this.calibration.size >= this.options.minCalibration) return this.calibration;
    if (!this.loo || this.train.size > this.loo.trainSize * 1.1) {
      this.loo = { calibration: this.leaveOneOut(), trainSize: this.train.size };
    }
    return this.loo.calibration;
  }

  /** Which calibration is in force, for reports. */
  calibrationSource(): { source: 'eval' | 'leave-one-out'; size: number } {
    const cal = this.activeCalibration();
    return { source: cal === this.calibration ? 'eval' : 'leave-one-out', size: cal.size };
  }

  private leaveOneOut(): Calibration {
    const cal = new Calibration();
    const k = this.options.k;
    if (this.train.size <= 1) return cal;
    const labels = [...this.ids.keys()].filter((seq) => this.train.has(seq));
    const step = Math.max(1, Math.floor(labels.length / LOO_SAMPLE));
    for (let i = 0; i < labels.length; i += step) {
      const label = labels[i]!;
      const found = this.train.search(this.train.vector(label), k + 1);
      const others = found.distances.filter((_, j) => found.labels[j] !== label).slice(0, k);
      if (others.length > 0) cal.set(label, mean(others));
    }
    return cal;
  }

  private recalibrate(label: number, vector: ArrayLike<number>): void {
    this.setCalibration(label, this.train.search(vector, this.options.k));
  }

  private setCalibration(label: number, found: Neighbors): void {
    if (found.distances.length === 0) {
      this.kth.set(label, Infinity);
      this.nearest.delete(label);
      return;
    }
    this.calibration.set(label, mean(found.distances));
    // Fewer than k train points so far: mark for refresh when train grows.
    const full = found.distances.length >= this.options.k;
    this.kth.set(label, full ? found.distances.at(-1)! : Infinity);
    if (full) this.nearest.set(label, Float64Array.from(found.distances.slice(0, this.options.k)));
    else this.nearest.delete(label);
  }

  private measurement(found: Neighbors, percentile: (distance: number) => number): OodMeasurement {
    const neighbors = this.toNeighbors(found);
    const distance = mean(neighbors.map((n) => n.distance));
    return { distance, score: percentile(distance), neighbors };
  }

  private toNeighbors(found: Neighbors): ReferenceNeighbor[] {
    return found.labels.map((seq, i) => new TrainNeighbor(seq, this.concepts[seq] ?? NO_CONCEPTS, found.distances[i]!, this.ids));
  }

  private conceptSet(concepts: readonly string[]): readonly string[] {
    const key = JSON.stringify(concepts);
    let set = this.conceptSets.get(key);
    if (!set) {
      set = Object.freeze([...concepts]);
      this.conceptSets.set(key, set);
    }
    return set;
  }
}

/**
 * A neighbour whose id is looked up when read: scoring reads the concepts of every neighbour
 * and the id of none, and a lookup in the map of every point's id costs a cache miss or two.
 */
class TrainNeighbor implements ReferenceNeighbor {
  readonly #ids: ReadonlyMap<number, string>;

  constructor(
    readonly seq: number,
    readonly concepts: readonly string[],
    readonly distance: number,
    ids: ReadonlyMap<number, string>,
  ) {
    this.#ids = ids;
  }

  get id(): string {
    return this.#ids.get(this.seq) ?? String(this.seq);
  }
}

/**
 * Puts `distance` into the ascending `list` in place of its largest entry (the caller checked it
 * is smaller) and returns the new largest: the k-th nearest distance.
 */
function insertNearer(list: Float64Array, distance: number): number {
  let i = list.length - 1;
  while (i > 0 && list[i - 1]! > distance) {
    list[i] = list[i - 1]!;
    i--;
  }
  list[i] = distance;
  return list[list.length - 1]!;
}

function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  return sum / xs.length;
}

/** The points' embeddings, one after another, as a batch search takes them. */
function packed(points: readonly ReferencePoint[], dim: number): Float64Array {
  const out = new Float64Array(points.length * dim);
  points.forEach((p, i) => out.set(p.embedding, i * dim));
  return out;
}
