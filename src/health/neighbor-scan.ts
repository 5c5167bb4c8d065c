import { setImmediate as nextTurn } from 'node:timers/promises';
import type { VectorIndex } from '../vectors/vector-index.js';
import { rowVector, type ExampleSnapshot } from './example-snapshot.js';

/** Searches between event-loop turns, so requests keep being served while the checklist runs. */
const SEARCHES_PER_TURN = 200;

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
  for (let i = 0; i < rows.length; i++) {
    if (i % SEARCHES_PER_TURN === SEARCHES_PER_TURN - 1) await nextTurn();
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
