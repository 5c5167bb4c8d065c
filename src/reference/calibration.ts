/**
 * Conformal calibration of k-NN distances: each calibration point carries its own
 * out-of-sample k-NN distance to the train split, and a new distance is scored by
 * the share of calibration distances below it.
 */
export class Calibration {
  private readonly byLabel = new Map<number, number>();
  private sorted: Float64Array | undefined = new Float64Array(0);

  get size(): number {
    return this.byLabel.size;
  }

  /** Sets (or replaces) the calibration distance of one point. */
  set(label: number, distance: number): void {
    this.byLabel.set(label, distance);
    this.sorted = undefined;
  }

  get(label: number): number | undefined {
    return this.byLabel.get(label);
  }

  entries(): IterableIterator<[number, number]> {
    return this.byLabel.entries();
  }

  /** Share of calibration distances strictly below `distance`, in [0, 1]. */
  percentile(distance: number): number {
    return this.percentiles()(distance);
  }

  /** `percentile` as of now: later `set`s do not change what it answers. */
  percentiles(): (distance: number) => number {
    const s = this.sortedValues();
    return (distance) => (s.length === 0 ? 0 : lowerBound(s, distance) / s.length);
  }

  /** The calibration distance at quantile q (the OOD radius for q = ood.quantile). */
  quantile(q: number): number | undefined {
    const s = this.sortedValues();
    if (s.length === 0) return undefined;
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  }

  private sortedValues(): Float64Array {
    this.sorted ??= Float64Array.from(this.byLabel.values()).sort();
    return this.sorted;
  }
}

/** Index of the first element >= x in an ascending array. */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
