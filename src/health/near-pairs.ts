import { Closest } from './closest.js';
import { DisjointSets } from './disjoint-sets.js';
import type { ExampleSnapshot } from './example-snapshot.js';
import type { NeighborTable } from './neighbor-table.js';
import { EXACT_DISTANCE } from '../reference/duplicate-radius.js';

/**
 * Collects near-duplicate pairs as the neighbour scans find them, each pair once whichever
 * side found it: groups (single linkage), label conflicts and train/eval leaks.
 */
export class NearPairs {
  readonly groups: DisjointSets;
  pairs = 0;
  exactPairs = 0;
  conflictPairs = 0;
  /** Rows in a conflicting pair; eval rows with a train near-duplicate. */
  readonly conflicted: Uint8Array;
  readonly leaked: Uint8Array;
  readonly conflicts: Closest<[number, number, number]>;
  readonly leaks: Closest<[number, number, number]>;
  private readonly seen = new Set<number>();

  constructor(
    private readonly snap: ExampleSnapshot,
    readonly radius: number,
    sampleSize: number,
  ) {
    this.groups = new DisjointSets(snap.size);
    this.conflicted = new Uint8Array(snap.size);
    this.leaked = new Uint8Array(snap.size);
    this.conflicts = new Closest(sampleSize);
    this.leaks = new Closest(sampleSize);
  }

  /** Offers every neighbour of `row` in `table` within the radius. */
  visit(row: number, table: NeighborTable): void {
    const n = table.count(row);
    for (let j = 0; j < n && table.distance(row, j) <= this.radius; j++) this.add(row, table.neighbor(row, j), table.distance(row, j));
  }

  private add(a: number, b: number, distance: number): void {
    const key = Math.min(a, b) * this.snap.size + Math.max(a, b);
    if (a === b || this.seen.has(key)) return;
    this.seen.add(key);
    this.pairs++;
    if (distance <= EXACT_DISTANCE) this.exactPairs++;
    this.groups.union(a, b);
    if (!sameConcepts(this.snap.concepts[a]!, this.snap.concepts[b]!)) {
      this.conflictPairs++;
      this.conflicted[a] = 1;
      this.conflicted[b] = 1;
      this.conflicts.offer(distance, [Math.min(a, b), Math.max(a, b), distance]);
    }
    const isEval = this.snap.isEval;
    if (isEval[a] !== isEval[b]) {
      const [e, t] = isEval[a] ? [a, b] : [b, a];
      this.leaked[e] = 1;
      this.leaks.offer(distance, [e, t, distance]);
    }
  }
}

function sameConcepts(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}
