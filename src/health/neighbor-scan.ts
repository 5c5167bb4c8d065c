import type { Neighbors, VectorIndex } from '../vectors/vector-index.js';
import { rowDistance, type ExampleSnapshot } from './example-snapshot.js';
import { before } from './neighbor-table.js';
import { TurnClock } from '../util/turn-clock.js';

/** Queries per batch search: small enough that a batch answered on the main thread stays within a turn. */
const CHUNK = 64;
/** Batches in flight at once: with search threads, both cores search while this thread sorts. */
const IN_FLIGHT = 2;

/** What one search found for a snapshot row, nearest first. */
export interface Found {
  /** Snapshot rows, the query row itself left out. */
  neighbors: number[];
  distances: number[];
  /** Distance of the farthest answer; rows the search did not return lie at least this far. */
  reach: number;
  /** The search returned fewer than it asked for: it saw the whole index. */
  whole: boolean;
}

/**
 * Searches `index` for the `ask` nearest labels of each of `rows` and hands them to `visit` as
 * snapshot rows. Distances are recomputed from the snapshot, so that a pair measures the same
 * from either side; labels the snapshot does not know (examples added since it was read) are
 * skipped. Batches go through `searchMany`, which the train index answers on its search threads.
 */
export async function scanNeighbors(snap: ExampleSnapshot, rows: readonly number[], index: VectorIndex, ask: number, visit: (row: number, found: Found) => void): Promise<void> {
  if (rows.length === 0) return;
  const dim = snap.dim;
  const search = (from: number): Promise<Neighbors[]> => {
    const part = rows.slice(from, from + CHUNK);
    const queries = new Float64Array(part.length * dim);
    part.forEach((row, i) => queries.set(snap.vectors.subarray(row * dim, (row + 1) * dim), i * dim));
    return index.searchMany(queries, ask);
  };
  const clock = new TurnClock();
  const pending: Promise<Neighbors[]>[] = [];
  for (let from = 0; from < rows.length && pending.length < IN_FLIGHT; from += CHUNK) pending.push(search(from));
  for (let from = 0; from < rows.length; from += CHUNK) {
    const answers = await pending.shift()!;
    const next = from + IN_FLIGHT * CHUNK;
    if (next < rows.length) pending.push(search(next));
    for (let i = 0; i < answers.length; i++) {
      visit(rows[from + i]!, toFound(snap, rows[from + i]!, answers[i]!.labels, ask));
      await clock.tick();
    }
  }
}

function toFound(snap: ExampleSnapshot, row: number, labels: readonly number[], ask: number): Found {
  const pairs: [number, number][] = [];
  let reach = 0;
  for (const label of labels) {
    const other = snap.rowOf.get(label);
    if (other === undefined) continue;
    const d = rowDistance(snap, row, other);
    reach = Math.max(reach, d);
    if (other !== row) pairs.push([other, d]);
  }
  pairs.sort((a, b) => (before(a[1], a[0], b[1], b[0]) ? -1 : 1));
  return { neighbors: pairs.map((p) => p[0]), distances: pairs.map((p) => p[1]), reach, whole: labels.length < ask };
}
