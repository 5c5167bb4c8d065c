import { setImmediate as nextTurn } from 'node:timers/promises';
import type { VectorIndex } from '../vectors/vector-index.js';
import { rowVector, type ExampleSnapshot } from './example-snapshot.js';

/** Longest stretch of searches between event-loop turns, so requests keep being served meanwhile. */
const TURN_MS = 15;

/** Tells a long synchronous loop when it is time to let the event loop run. */
export class TurnClock {
  private last = performance.now();

  /** Resolves at once while within the budget, else after one event-loop turn. */
  async tick(): Promise<void> {
    if (performance.now() - this.last < TURN_MS) return;
    await nextTurn();
    this.last = performance.now();
  }
}

/** Neighbours of one snapshot row, as snapshot rows, nearest first. */
export type NeighborVisitor = (row: number, neighbors: number[], distances: number[]) => void;

/**
 * Searches `index` for the `k` nearest neighbours of each of `rows` and hands them to `visit`.
 * With `excludeSelf` (rows of the index's own split) it asks for one more and drops the row
 * itself; labels the snapshot does not know (examples added since it was read) are skipped.
 */
export async function scanNeighbors(
  snap: ExampleSnapshot,
  rows: readonly number[],
  index: VectorIndex,
  k: number,
  excludeSelf: boolean,
  visit: NeighborVisitor,
): Promise<void> {
  const ask = k + (excludeSelf ? 1 : 0);
  const clock = new TurnClock();
  for (let i = 0; i < rows.length; i++) {
    await clock.tick();
    const row = rows[i]!;
    const found = index.search(rowVector(snap, row), ask);
    const neighbors: number[] = [];
    const distances: number[] = [];
    for (let j = 0; j < found.labels.length && neighbors.length < k; j++) {
      const other = snap.rowOf.get(found.labels[j]!);
      if (other === undefined || (excludeSelf && other === row)) continue;
      neighbors.push(other);
      distances.push(found.distances[j]!);
    }
    visit(row, neighbors, distances);
  }
}
