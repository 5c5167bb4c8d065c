import type { Model } from '../models/model.js';
import type { ReferenceSet } from '../reference/reference-set.js';
import type { VectorIndex } from '../vectors/vector-index.js';
import { emptySnapshot, readExamples, type ExampleSnapshot } from './example-snapshot.js';
import type { HealthReads } from './health.ports.js';
import { scanNeighbors, type Found } from './neighbor-scan.js';
import { NeighborTable } from './neighbor-table.js';
import { RowBlock, type RowBlockMemories } from './row-block.js';
import { TurnClock } from '../util/turn-clock.js';

/**
 * How many neighbours of a new example are asked for to find the old examples it comes near
 * (8k = 80 at the default k: within the default efSearch of 96, so no dearer than asking for k).
 */
const REVERSE_FANOUT = 8;
/**
 * Old examples with the widest k-th neighbour distance, checked directly against every new
 * example that the search around it cannot rule out for them ("I am in your k-NN ball" is not
 * symmetric: an isolated example takes a new neighbour from farther away than the search reaches).
 */
const WIDEST = 1024;
/** Float32 search distances against float64 recomputed ones: err on the side of checking. */
const SLACK = 1e-6;

/** The kept state as saved: the snapshot with its seqs in row order, and both tables. */
export type SavedNeighbors = Omit<ExampleSnapshot, 'rowOf'> & { seqs: Float64Array; toTrain: ReturnType<NeighborTable['dump']>; toEval: ReturnType<NeighborTable['dump']> };

/** What one update did. */
export interface NeighborUpdate {
  mode: 'cold' | 'incremental';
  added: number;
  /** New examples for which an old example's list may have missed them (more wide examples than WIDEST). */
  unproven: number;
}

/**
 * The per-example results of the checklist for one model, kept between calls: a snapshot of
 * the examples and the k nearest neighbours of each (train neighbours for every example,
 * eval neighbours for eval examples). Examples are only ever appended, so an update reads the
 * new ones, searches their neighbours, and offers each new example to the lists of the old
 * examples it comes near: with exact searches the lists equal those a cold computation finds.
 */
export class ExampleNeighbors {
  readonly snap: ExampleSnapshot;
  /** Train neighbours of every row (itself left out). */
  readonly toTrain: NeighborTable;
  /** Eval neighbours of eval rows (itself left out). */
  readonly toEval: NeighborTable;

  constructor(
    model: Model,
    readonly k: number,
    /** Where the widest-row checks get their WebAssembly memory (shared by every model's lists). */
    private readonly memories: RowBlockMemories,
  ) {
    this.snap = emptySnapshot(model);
    this.toTrain = new NeighborTable(k);
    this.toEval = new NeighborTable(k);
  }

  /** Everything kept, to save beside the indexes. */
  dump(): SavedNeighbors {
    const { rowOf, vectors, isEval, ...rest } = this.snap;
    return { ...rest, seqs: Float64Array.from(rowOf.keys()), vectors: vectors.slice(0, rest.size * rest.dim), isEval: isEval.slice(0, rest.size), toTrain: this.toTrain.dump(rest.size), toEval: this.toEval.dump(rest.size) };
  }

  /** Takes back what `dump` saved, when it was saved for this k and dimension. */
  restore(saved: SavedNeighbors): void {
    const { seqs, toTrain, toEval, ...snap } = saved;
    if (snap.dim !== this.snap.dim || snap.cosine !== this.snap.cosine || seqs.length !== snap.size) throw new Error('saved neighbour lists of another model shape');
    this.toTrain.restore(toTrain);
    this.toEval.restore(toEval);
    Object.assign(this.snap, snap, { rowOf: new Map(Array.from(seqs, (seq, row) => [seq, row])) });
  }

  /** Whether the database still holds the last example read, under the same seq (a restored backup may not). */
  async matches(examples: HealthReads['examples'], model: Model): Promise<boolean> {
    const { snap } = this;
    if (snap.size === 0) return true;
    let last = 0;
    for (const seq of snap.rowOf.keys()) last = seq;
    const row = snap.size - 1;
    const [found] = await examples.listExamplesPage(model.id, snap.isEval[row] ? 'eval' : 'train', last - 1, last, 1);
    return found?.seq === last && found.id === snap.ids[row];
  }

  /** Brings the lists up to the set's high-water mark. */
  async update(examples: HealthReads['examples'], model: Model, set: ReferenceSet): Promise<NeighborUpdate> {
    const { snap, k } = this;
    const old = snap.size;
    const added = await readExamples(examples, model, snap, set.highWater, Math.max(0, set.train.size + set.evalIndex.size - old));
    this.toTrain.reserve(snap.size);
    this.toEval.reserve(snap.size);
    const newTrain = added.filter((r) => !snap.isEval[r]);
    const newEval = added.filter((r) => snap.isEval[r]);
    const keep = (table: NeighborTable) => (row: number, f: Found) => table.set(row, f.neighbors, f.distances);
    const update: NeighborUpdate = { mode: old === 0 ? 'cold' : 'incremental', added: added.length, unproven: 0 };
    const unproven = new Set<number>();
    // A cold read has no old rows to offer the new ones to.
    const oldTrain = old > 0 ? snap.trainRows.filter((r) => r < old) : [];
    const oldEval = old > 0 ? snap.evalRows.filter((r) => r < old) : [];
    const reverses: [number[], VectorIndex, NeighborTable, number[]][] = [
      [newTrain, set.train, this.toTrain, oldTrain],
      [newTrain, set.evalIndex, this.toTrain, oldEval],
      [newEval, set.evalIndex, this.toEval, oldEval],
    ];
    // The widest old rows of each reverse scan, picked before any list changes, a turn apart
    // (one pick over 80k rows takes 10–40 ms).
    const clock = new TurnClock();
    const wides: (Widest | undefined)[] = [];
    for (const [fresh, , table, oldRows] of reverses) {
      wides.push(fresh.length > 0 && oldRows.length > 0 ? widest(table, oldRows) : undefined);
      await clock.tick();
    }
    // Every scan writes rows no other one touches (the new rows' own lists, or the old train
    // rows', old eval rows' train or eval lists), and the reverse scans offer only to the old
    // rows of their own table: so all run at once, the train index on the search threads while
    // this thread searches the eval index, and the lists come out as in any order.
    await settled([
      scanNeighbors(snap, newTrain, set.train, k + 1, keep(this.toTrain)),
      scanNeighbors(snap, newEval, set.evalIndex, k + 1, keep(this.toEval)),
      scanNeighbors(snap, newEval, set.train, k, keep(this.toTrain)),
      ...reverses.map(([fresh, index, table], i) => (wides[i] ? this.reverse(fresh, index, table, wides[i], old, unproven) : Promise.resolve())),
    ]);
    update.unproven = unproven.size;
    return update;
  }

  /**
   * Offers each new row to the `table` lists of the old rows (those of `index`'s split below
   * `oldSize`) it comes near; `wide` are the widest of those old rows.
   */
  private async reverse(fresh: number[], index: VectorIndex, table: NeighborTable, wide: Widest, oldSize: number, unproven: Set<number>): Promise<void> {
    const block = new RowBlock(this.memories, this.snap, wide.rows);
    const scanned = scanNeighbors(this.snap, fresh, index, REVERSE_FANOUT * this.k, (p, f) => {
      for (let j = 0; j < f.neighbors.length; j++) if (f.neighbors[j]! < oldSize) table.offer(f.neighbors[j]!, p, f.distances[j]!);
      if (f.whole) return;
      // Rows the search did not return lie at least `reach` away: only a row whose k-th neighbour is farther can take p.
      const floor = f.reach - SLACK * (1 + f.reach);
      let i = 0;
      while (i < wide.rows.length && wide.kth[i]! > floor) i++;
      const distances = block.distancesFrom(p, i);
      for (let j = 0; j < i; j++) table.offer(wide.rows[j]!, p, distances[j]!);
      if (i === wide.rows.length && wide.more && (wide.rows.length === 0 || wide.kth[i - 1]! > floor)) unproven.add(p);
    });
    await scanned.finally(() => block.release());
  }
}

/** Waits for every one of `work`, then throws the first failure: none is left running on lists being dropped. */
async function settled(work: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Old rows by k-th neighbour distance, widest first, and whether any were left out. */
interface Widest {
  rows: number[];
  kth: Float64Array;
  more: boolean;
}

/** The WIDEST rows of `rows` by k-th neighbour distance. */
function widest(table: NeighborTable, rows: readonly number[]): Widest {
  // Plain loops and a native sort: at 80k rows the mapped `from`/`filter` took 20–60 ms in one stretch.
  const kths = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) kths[i] = table.kth(rows[i]!);
  const threshold = rows.length > WIDEST ? kths.slice().sort()[rows.length - WIDEST]! : -Infinity;
  const chosen: number[] = [];
  for (let i = 0; i < rows.length; i++) if (kths[i]! >= threshold) chosen.push(i);
  chosen.sort((a, b) => kths[b]! - kths[a]! || rows[a]! - rows[b]!);
  chosen.length = Math.min(chosen.length, WIDEST);
  return { rows: chosen.map((i) => rows[i]!), kth: Float64Array.from(chosen, (i) => kths[i]!), more: rows.length > chosen.length };
}
