import { kmeans } from 'ml-kmeans';
import { hash32 } from '../../drift/sampling/bottom-k.js';

/** What TypiClust reads of a pending item. */
export interface TypiclustItem {
  id: number;
  /** On the metric's scale (unit-normalised under cosine, so Euclidean k-means orders like cosine). */
  embedding: Float32Array;
  /** Out of distribution: only these are clustered (training already covers the rest). */
  ood: boolean;
  /** Stable identity for the seeded order of the items after the typical picks. */
  key: string;
}

export interface TypiclustOptions {
  /** Labeled items' embeddings: a cluster holding one is covered. */
  labeled: Float32Array[];
  /** Picks per ranking: K = labeled + batch clusters. */
  batch: number;
  seed: number;
}

/** Smallest cluster TypiClust takes a pick from (the paper's guard against outliers). */
const MIN_CLUSTER = 5;
/** Neighbours over which typicality is averaged (the paper's 20). */
const TYPICALITY_K = 20;
/** Lloyd iterations: the labels benchmark's offline loop measured the policy with this many. */
const ITERATIONS = 20;

/**
 * TypiClust (Hacohen et al. 2022), over the out-of-distribution items: k-means with K = labeled +
 * `batch` clusters over them and the labeled items; from the largest clusters that hold no
 * label (at least 5 members), each one's most typical member (1 / mean distance to its 20
 * nearest cluster members). The rest follow in the seeded random order, so a labeler never runs
 * dry; the ranking is redone after `batch` hand-outs (selection.service.ts), when K has grown
 * by the labels given. Measured offline against the other low-budget policies in
 * docs/regions.md (`scripts/bench/labels/selection-sim.ts`).
 */
export function typiclustOrder(items: TypiclustItem[], opts: TypiclustOptions): number[] {
  const clustered = items.filter((i) => i.ood);
  const points = [...clustered.map((i) => i.embedding), ...opts.labeled];
  const picks = points.length > 1 ? typicalPicks(clustered, points, opts) : [];
  const taken = new Set(picks);
  const rest = items
    .filter((i) => !taken.has(i.id))
    .map((i) => ({ id: i.id, key: hash32(i.key, opts.seed) }))
    .sort((a, b) => a.key - b.key || a.id - b.id)
    .map((i) => i.id);
  return [...picks, ...rest];
}

function typicalPicks(clustered: TypiclustItem[], points: Float32Array[], opts: TypiclustOptions): number[] {
  const k = Math.min(points.length, opts.labeled.length + opts.batch);
  const fit = kmeans(points.map((p) => Array.from(p)), k, { initialization: 'kmeans++', seed: opts.seed, maxIterations: ITERATIONS });
  const members = new Map<number, number[]>();
  const covered = new Set<number>();
  fit.clusters.forEach((c, j) => {
    if (j >= clustered.length) covered.add(c);
    else members.set(c, [...(members.get(c) ?? []), j]);
  });
  const open = [...members].filter(([c, m]) => !covered.has(c) && m.length >= MIN_CLUSTER).sort((a, b) => b[1].length - a[1].length || a[0] - b[0]);
  return open.slice(0, opts.batch).map(([, m]) => clustered[mostTypical(m, clustered)]!.id);
}

function mostTypical(members: number[], items: TypiclustItem[]): number {
  let best = members[0]!;
  let top = -1;
  for (const i of members) {
    const d = members
      .filter((j) => j !== i)
      .map((j) => distance(items[i]!.embedding, items[j]!.embedding))
      .sort((a, b) => a - b)
      .slice(0, TYPICALITY_K);
    const typicality = 1 / (d.reduce((a, b) => a + b, 0) / d.length + 1e-9);
    if (typicality > top) [best, top] = [i, typicality];
  }
  return best;
}

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += (a[t]! - b[t]!) ** 2;
  return Math.sqrt(s);
}
