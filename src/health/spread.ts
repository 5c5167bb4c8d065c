import { listed, plural } from './format.js';
import type { ConceptSpread, HealthCheck } from './health.types.js';
import { TurnClock } from '../util/turn-clock.js';

/** Rows between looks at the turn clock. */
const ROWS_PER_TICK = 1024;

/**
 * Spread of each concept: the root-mean-square Euclidean distance of its examples to their
 * centroid, in the metric space (unit vectors under cosine, so the unit is the chord, which
 * grows linearly with the angle where 1 − cos grows with its square). Two passes, O(n·dim).
 */
export class ConceptSpreads {
  private constructor(
    private readonly vectors: Float32Array,
    private readonly dim: number,
    readonly counts: Int32Array,
    private readonly centroids: Float64Array,
    readonly spread: Float64Array,
  ) {}

  /** Measures the spreads of `rows`, with event-loop turns between stretches (100k × 64: about 50 ms of work). */
  static async measure(vectors: Float32Array, dim: number, rows: readonly number[], conceptsOf: (row: number) => readonly number[], conceptCount: number): Promise<ConceptSpreads> {
    const clock = new TurnClock();
    const counts = new Int32Array(conceptCount);
    const centroids = new Float64Array(conceptCount * dim);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      for (const c of conceptsOf(r)) {
        counts[c]! += 1;
        for (let j = 0; j < dim; j++) centroids[c * dim + j]! += vectors[r * dim + j]!;
      }
      if (i % ROWS_PER_TICK === 0) await clock.tick();
    }
    for (let c = 0; c < conceptCount; c++) {
      if (counts[c]! > 0) for (let j = 0; j < dim; j++) centroids[c * dim + j]! /= counts[c]!;
    }
    const spreads = new ConceptSpreads(vectors, dim, counts, centroids, new Float64Array(conceptCount));
    const squares = new Float64Array(conceptCount);
    for (let i = 0; i < rows.length; i++) {
      for (const c of conceptsOf(rows[i]!)) squares[c]! += spreads.squaredDistance(rows[i]!, c);
      if (i % ROWS_PER_TICK === 0) await clock.tick();
    }
    squares.forEach((s, c) => (spreads.spread[c] = counts[c]! >= 2 ? Math.sqrt(s / counts[c]!) : NaN));
    return spreads;
  }

  /** Distance of `row` to the centroid of concept `c`. */
  distance(row: number, c: number): number {
    return Math.sqrt(this.squaredDistance(row, c));
  }

  /** Concepts (with at least two examples) whose spread exceeds `factor` times the median concept's. */
  wide(factor: number): { median: number | null; wide: number[]; measured: number[] } {
    const measured = [...this.spread.keys()].filter((c) => !Number.isNaN(this.spread[c]!));
    if (measured.length < 2) return { median: null, wide: [], measured };
    const sorted = measured.map((c) => this.spread[c]!).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return { median, wide: measured.filter((c) => this.spread[c]! > factor * median), measured };
  }

  private squaredDistance(row: number, c: number): number {
    let s = 0;
    for (let i = 0; i < this.dim; i++) {
      const d = this.vectors[row * this.dim + i]! - this.centroids[c * this.dim + i]!;
      s += d * d;
    }
    return s;
  }
}

/** concept_spread; `ids` are the wide concepts' examples farthest from their centroid. */
export function spreadCheck(concepts: string[], spreads: ConceptSpreads, opts: { wideFactor: number; ids: string[]; idsTotal: number }): HealthCheck {
  const { median, wide, measured } = spreads.wide(opts.wideFactor);
  const spread: ConceptSpread[] = measured
    .map((c) => ({ concept: concepts[c]!, spread: spreads.spread[c]!, ratio: median ? spreads.spread[c]! / median : 1, examples: spreads.counts[c]! }))
    .sort((a, b) => b.spread - a.spread);
  const details = { wideFactor: opts.wideFactor, median, spread, wide: wide.map((c) => concepts[c]!) };
  if (median === null) {
    return { name: 'concept_spread', status: 'ok', message: 'Fewer than two concepts with two or more train examples: nothing to compare.', details };
  }
  if (wide.length === 0) {
    return { name: 'concept_spread', status: 'ok', message: `No concept is more than ${opts.wideFactor}× as spread as the median concept (widest ${spread[0]!.concept}, ${spread[0]!.ratio.toFixed(1)}×).`, details };
  }
  const named = listed(spread.filter((s) => s.ratio > opts.wideFactor).map((s) => `${s.concept} (${s.ratio.toFixed(1)}×)`));
  return {
    name: 'concept_spread',
    status: 'warn',
    message: `${plural(wide.length, 'concept is', 'concepts are')} more than ${opts.wideFactor}× as spread as the median concept: ${named}. A concept this wide may mix several kinds of input; consider splitting it or checking its labels.`,
    ids: opts.ids,
    idsTotal: opts.idsTotal,
    details,
  };
}
