import TinyQueue from 'tinyqueue';
import { hash32 } from '../../drift/sampling/bottom-k.js';

/**
 * How claims pick fresh items (`queue.selection`):
 * - `priority`: the enqueue-time priority (OOD score, the app's own uncertainty, k-NN disagreement, drift boost);
 * - `random`: a seeded random order of the pending items, the baseline every policy must beat;
 * - `drifted`: a seeded random order of the out-of-distribution items, then of the rest: an
 *   unbiased sample of where production left the training data, each label as likely as the
 *   drifted inputs themselves (no typical or boundary bias);
 * - `uncertainty`: the champion's margin uncertainty (items nearest its decision boundary);
 * - `typical`: dense and not yet covered by a label (ProbCover-style coverage of the embedding space);
 * - `adaptive`: `typical` while an item's region has few labels, moving to `uncertainty` as they grow.
 */
export const SELECTION_POLICIES = ['adaptive', 'uncertainty', 'typical', 'priority', 'random', 'drifted'] as const;
export type SelectionPolicy = (typeof SELECTION_POLICIES)[number];

/** A pending item that a claim may hand out, with what the policies read. */
export interface Candidate {
  id: number;
  region: number | null;
  /** The champion's uncertainty in [0, 1]; null without a champion. */
  uncertainty: number | null;
  /** Nearest production items (any status), nearest first. */
  neighbors: { id: number; distance: number }[];
  /** In distribution (not OOD): training data already covers it, so labeling it teaches little. */
  inDistribution?: boolean;
  /** Enqueue-time priority (OOD, the app's uncertainty, disagreement, drift boost). */
  priority?: number;
  /** Stable identity for the random order (the prediction id), so it does not depend on item ids. */
  key?: string;
}

export interface SelectionContext {
  policy: SelectionPolicy;
  /** Items that already have a label: their neighbourhoods are covered. */
  labeled: ReadonlySet<number>;
  /** Labeled items per region (null: items outside the regions window). */
  labeledPerRegion: ReadonlyMap<number | null, number>;
  /** Labels in a region by which `adaptive` has moved entirely to uncertainty. */
  typicalUntil: number;
  seed: number;
}

/** Candidates in the order a claim should hand them out, at most `limit` of them. */
export function selectItems(candidates: Candidate[], ctx: SelectionContext, limit: number): number[] {
  if (ctx.policy === 'priority') return candidates.slice(0, limit).map((c) => c.id);
  if (ctx.policy === 'random' || ctx.policy === 'drifted') {
    // `drifted` puts in-distribution items (training already covers them) after the rest.
    const tier = (c: Candidate) => (ctx.policy === 'drifted' && c.inDistribution ? 1 : 0);
    return candidates
      .map((c) => ({ id: c.id, tier: tier(c), key: hash32(c.key ?? c.id, ctx.seed) }))
      .sort((a, b) => a.tier - b.tier || a.key - b.key || a.id - b.id)
      .slice(0, limit)
      .map((c) => c.id);
  }
  if (ctx.policy === 'uncertainty') {
    // Stable: without a champion the candidates keep their priority order.
    return candidates
      .map((c, i) => ({ id: c.id, u: c.uncertainty ?? 0, i }))
      .sort((a, b) => b.u - a.u || a.i - b.i)
      .slice(0, limit)
      .map((c) => c.id);
  }
  return greedyCoverage(candidates, ctx, limit);
}

/**
 * ProbCover's greedy step with TypiClust's notion of typical: an item's coverage gain is the
 * closeness-weighted count of its δ-neighbours (itself included) that neither a label nor the
 * training data (the item is in distribution) covers yet, δ the median distance
 * to the 10th neighbour so that a ball holds a typical neighbourhood whatever the encoder's
 * scale. Each pick covers its ball, so the next picks go elsewhere (diversity). `adaptive`
 * blends the gain with the champion's uncertainty by the labels the item's region has, counting
 * the picks before it as labels (the list is the order a labeler will answer them in).
 *
 * Lazy greedy (Minoux): gains only shrink as coverage grows and the region blend only moves
 * toward uncertainty (≤ 1), so an item's score never rises; a popped item whose fresh score
 * still tops the heap is the exact greedy pick. That makes ranking the whole pool cheap enough
 * to cache (selection.service.ts) instead of re-ranking per claim.
 */
function greedyCoverage(candidates: Candidate[], ctx: SelectionContext, limit: number): number[] {
  const radius = coverageRadius(candidates);
  const covered = new Set<number>();
  // Training covers in-distribution items; a labeled item covers its ball, seen from the
  // candidates' side (neighbourhoods are nearly symmetric).
  for (const c of candidates) {
    if (c.inDistribution) covered.add(c.id);
    else if (ctx.labeled.has(c.id) || c.neighbors.some((n) => n.distance <= radius && ctx.labeled.has(n.id))) covered.add(c.id);
  }
  const labels = new Map(ctx.labeledPerRegion);
  // Uncertainty on the pool's own scale: the most uncertain candidate counts 1.
  const topUncertainty = Math.max(0, ...candidates.map((c) => c.uncertainty ?? 0));
  const topPriority = Math.max(0, ...candidates.map((c) => c.priority ?? 0));
  // Among equally typical items, those the enqueue priority favours (drifted, disputed) first.
  const score = (c: Candidate) => (topPriority > 0 ? 0.5 + (0.5 * (c.priority ?? 0)) / topPriority : 1) * gain(c, covered, radius) * blend(c, labels, topUncertainty, ctx);
  // Ties (all covered: score 0) keep the candidates' priority order.
  const heap = new TinyQueue(
    candidates.map((c, i) => ({ c, i, s: score(c) })),
    (a, b) => b.s - a.s || a.i - b.i,
  );
  const picked: number[] = [];
  while (picked.length < limit && heap.length > 0) {
    const top = heap.pop()!;
    const fresh = score(top.c);
    const next = heap.peek();
    if (next && (fresh < next.s || (fresh === next.s && next.i < top.i))) {
      heap.push({ ...top, s: fresh });
      continue;
    }
    picked.push(top.c.id);
    covered.add(top.c.id);
    for (const n of top.c.neighbors) if (n.distance <= radius) covered.add(n.id);
    labels.set(top.c.region, (labels.get(top.c.region) ?? 0) + 1);
  }
  return picked;
}

/** Uncovered mass of the item's ball: itself plus each uncovered neighbour, weighted by closeness (a triangular kernel). */
function gain(c: Candidate, covered: ReadonlySet<number>, radius: number): number {
  if (covered.has(c.id)) return 0;
  let g = 1;
  for (const n of c.neighbors) if (n.distance <= radius && !covered.has(n.id)) g += radius > 0 ? 1 - n.distance / radius : 1;
  return g;
}

/**
 * The share of the score that uncertainty decides: none while the item's region has no labels,
 * all of it from `typicalUntil` labels on. Information density (Settles & Craven): uncertainty
 * multiplies how typical and uncovered the item is, so the boundary phase does not chase
 * isolated, ambiguous outliers. Uncertainty is in [0, 1], so the factor only falls as labels grow.
 */
function blend(c: Candidate, labels: ReadonlyMap<number | null, number>, topUncertainty: number, ctx: SelectionContext): number {
  if (ctx.policy === 'typical' || c.uncertainty === null || topUncertainty <= 0) return 1;
  const w = ctx.typicalUntil <= 0 ? 1 : Math.min(1, (labels.get(c.region) ?? 0) / ctx.typicalUntil);
  return 1 - w + (w * c.uncertainty) / topUncertainty;
}

const NEIGHBOURHOOD = 10;

/** Median over the candidates of the distance to their 10th nearest neighbour (or farthest known). */
export function coverageRadius(candidates: Candidate[]): number {
  const d = candidates
    .map((c) => c.neighbors[Math.min(NEIGHBOURHOOD, c.neighbors.length) - 1]?.distance)
    .filter((x): x is number => x !== undefined && Number.isFinite(x))
    .sort((a, b) => a - b);
  return d.length === 0 ? 0 : d[Math.floor(d.length / 2)]!;
}
