import { listed, pct, plural } from './format.js';
import type { ConceptPurity, ConfusedPair, HealthCheck } from './health.types.js';
import type { NeighborTable } from './neighbor-table.js';

/**
 * k-NN purity per concept, tallied one example at a time: the share of an example's nearest
 * train neighbours that carry its concept, averaged over the concept's examples, and the
 * neighbour links that cross from one concept to another (sparse: only pairs that occur).
 */
export class PurityTally {
  private readonly sums: Float64Array;
  private readonly members: Int32Array;
  private readonly outLinks: Float64Array;
  private readonly crossLinks = new Map<number, number>();

  constructor(private readonly conceptCount: number) {
    this.sums = new Float64Array(conceptCount);
    this.members = new Int32Array(conceptCount);
    this.outLinks = new Float64Array(conceptCount);
  }

  /**
   * Tallies example `row` with the concepts (indexes, by row in `conceptsOf`) of its neighbours
   * in `table`; returns the example's purity.
   */
  add(row: number, table: NeighborTable, conceptsOf: readonly (readonly number[])[]): number {
    const own = conceptsOf[row]!;
    const n = table.count(row);
    if (own.length === 0 || n === 0) return NaN;
    let total = 0;
    for (const c of own) {
      let same = 0;
      for (let j = 0; j < n; j++) {
        const nb = conceptsOf[table.neighbor(row, j)]!;
        if (nb.includes(c)) same++;
        else for (const b of nb) this.link(c, b, 1 / nb.length);
      }
      const purity = same / n;
      this.sums[c]! += purity;
      this.members[c]! += 1;
      this.outLinks[c]! += n;
      total += purity;
    }
    return total / own.length;
  }

  /** Purity of every concept with tallied examples, by concept index. */
  purities(): { concept: number; purity: number; examples: number }[] {
    const out: { concept: number; purity: number; examples: number }[] = [];
    for (let c = 0; c < this.conceptCount; c++) {
      if (this.members[c]! > 0) out.push({ concept: c, purity: this.sums[c]! / this.members[c]!, examples: this.members[c]! });
    }
    return out;
  }

  /** Concept pairs by the share of their neighbour links that cross between them, largest first. */
  confused(limit: number): { concepts: [number, number]; share: number }[] {
    const pairs = new Map<number, number>();
    for (const [key, w] of this.crossLinks) {
      const a = Math.floor(key / this.conceptCount);
      const b = key % this.conceptCount;
      const k = Math.min(a, b) * this.conceptCount + Math.max(a, b);
      pairs.set(k, (pairs.get(k) ?? 0) + w);
    }
    return [...pairs]
      .map(([key, w]) => {
        const a = Math.floor(key / this.conceptCount);
        const b = key % this.conceptCount;
        return { concepts: [a, b] as [number, number], share: w / (this.outLinks[a]! + this.outLinks[b]!) };
      })
      .sort((x, y) => y.share - x.share || x.concepts[0] - y.concepts[0] || x.concepts[1] - y.concepts[1])
      .slice(0, limit);
  }

  private link(from: number, to: number, weight: number): void {
    const key = from * this.conceptCount + to;
    this.crossLinks.set(key, (this.crossLinks.get(key) ?? 0) + weight);
  }
}

const CONFUSED_LISTED = 5;

/** concept_distinctness from a finished tally; `ids` are the flagged concepts' examples that sit among other concepts. */
export function distinctnessCheck(
  concepts: string[],
  tally: PurityTally,
  opts: { k: number; minPurity: number; ids: string[]; idsTotal: number },
): HealthCheck {
  const purity: ConceptPurity[] = tally
    .purities()
    .sort((a, b) => a.purity - b.purity || a.concept - b.concept)
    .map((p) => ({ concept: concepts[p.concept]!, purity: p.purity, examples: p.examples }));
  const confused: ConfusedPair[] = tally.confused(CONFUSED_LISTED).map((p) => ({ concepts: [concepts[p.concepts[0]]!, concepts[p.concepts[1]]!], share: p.share }));
  const details = { k: opts.k, minPurity: opts.minPurity, purity, confused };
  const low = purity.filter((p) => p.purity < opts.minPurity);
  const top = confused[0];
  const mostConfused =
    top && top.share >= 0.005
      ? `most confused: ${top.concepts[0]} ↔ ${top.concepts[1]} (${pct(top.share)} of their neighbour links cross)`
      : `${top ? 'hardly any' : 'no'} neighbour links cross concepts`;
  if (low.length === 0) {
    const message = purity.length === 0 ? 'No train examples to compare.' : `Every concept has k-NN purity of at least ${pct(opts.minPurity)} (lowest ${purity[0]!.concept}, ${pct(purity[0]!.purity)}); ${mostConfused}.`;
    return { name: 'concept_distinctness', status: 'ok', message, details };
  }
  const named = listed(low.map((p) => `${p.concept} (${pct(p.purity)})`));
  return {
    name: 'concept_distinctness',
    status: 'warn',
    message: `${plural(low.length, 'concept')} below ${pct(opts.minPurity)} k-NN purity, so the embedding does not tell ${low.length === 1 ? 'it' : 'them'} apart well: ${named}; ${mostConfused}.`,
    ids: opts.ids,
    idsTotal: opts.idsTotal,
    details,
  };
}
