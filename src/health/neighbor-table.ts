import { grownCapacity } from './example-snapshot.js';

/**
 * The k nearest neighbours of every snapshot row in one split, nearest first, as rows with
 * their distances: the per-example result the checklist derives pairs and purity from, kept
 * between calls so that new examples only touch the rows they come near.
 */
export class NeighborTable {
  private rows: Int32Array;
  private dists: Float64Array;
  private counts: Uint8Array;

  constructor(readonly k: number) {
    this.rows = new Int32Array(0);
    this.dists = new Float64Array(0);
    this.counts = new Uint8Array(0);
  }

  /** The lists of rows below `size`, to save. */
  dump(size: number): { rows: Int32Array; dists: Float64Array; counts: Uint8Array } {
    return { rows: this.rows.slice(0, size * this.k), dists: this.dists.slice(0, size * this.k), counts: this.counts.slice(0, size) };
  }

  /** Takes back lists `dump` gave. */
  restore(saved: { rows: Int32Array; dists: Float64Array; counts: Uint8Array }): void {
    if (saved.rows.length !== saved.counts.length * this.k || saved.dists.length !== saved.rows.length) throw new Error('saved neighbour lists of another k');
    [this.rows, this.dists, this.counts] = [saved.rows, saved.dists, saved.counts];
  }

  /** Makes room for rows below `size`. */
  reserve(size: number): void {
    if (this.counts.length >= size) return;
    const capacity = grownCapacity(this.counts.length, size);
    const rows = new Int32Array(capacity * this.k);
    rows.set(this.rows);
    const dists = new Float64Array(capacity * this.k);
    dists.set(this.dists);
    const counts = new Uint8Array(capacity);
    counts.set(this.counts);
    [this.rows, this.dists, this.counts] = [rows, dists, counts];
  }

  /** Replaces the list of `row` (already sorted nearest first, at most k long). */
  set(row: number, neighbors: readonly number[], distances: readonly number[]): void {
    const at = row * this.k;
    const n = Math.min(this.k, neighbors.length);
    for (let j = 0; j < n; j++) {
      this.rows[at + j] = neighbors[j]!;
      this.dists[at + j] = distances[j]!;
    }
    this.counts[row] = n;
  }

  /** Distance to the k-th neighbour, or Infinity while the list is short (anything would join it). */
  kth(row: number): number {
    return this.counts[row]! < this.k ? Infinity : this.dists[row * this.k + this.k - 1]!;
  }

  /**
   * Puts `other` into the list of `row` if it is nearer than the k-th (ties keep the one
   * already there, and rows order equal distances); returns whether the list changed.
   */
  offer(row: number, other: number, distance: number): boolean {
    const at = row * this.k;
    let n = this.counts[row]!;
    if (n === this.k && !(distance < this.dists[at + n - 1]!)) return false;
    for (let j = 0; j < n; j++) if (this.rows[at + j] === other) return false;
    if (n < this.k) n++;
    let j = n - 1;
    while (j > 0 && before(distance, other, this.dists[at + j - 1]!, this.rows[at + j - 1]!)) {
      this.rows[at + j] = this.rows[at + j - 1]!;
      this.dists[at + j] = this.dists[at + j - 1]!;
      j--;
    }
    this.rows[at + j] = other;
    this.dists[at + j] = distance;
    this.counts[row] = n;
    return true;
  }

  /** How many neighbours `row` has (at most k). */
  count(row: number): number {
    return this.counts[row] ?? 0;
  }

  /** The j-th nearest neighbour of `row` (j < count(row)). */
  neighbor(row: number, j: number): number {
    return this.rows[row * this.k + j]!;
  }

  /** Distance to the j-th nearest neighbour of `row` (j < count(row)). */
  distance(row: number, j: number): number {
    return this.dists[row * this.k + j]!;
  }
}

/** Nearest first; equal distances by row, so every order of arrival gives the same list. */
export function before(d: number, row: number, otherD: number, otherRow: number): boolean {
  return d < otherD || (d === otherD && row < otherRow);
}
