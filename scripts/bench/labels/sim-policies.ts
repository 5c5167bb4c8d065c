/**
 * Selection policies from the low-budget active-learning literature, over the labels
 * benchmark's queue pool (queue-pool.ts), for the offline selection simulator. Each step adds
 * `budget` items to the labeled set, as a labeler working through claims between two
 * retrainings would; policies that read the champion see the one trained at the last step.
 */
import { kmeans } from 'ml-kmeans';

export interface SimPoolItem {
  /** Unit-normalised embedding (the demo model's metric is cosine). */
  x: Float32Array;
  priority: number;
  ood: boolean;
}

export interface StepContext {
  pool: SimPoolItem[];
  labeled: ReadonlySet<number>;
  budget: number;
  /** The champion's probabilities on the pool (row-major, `classes` per row); null before the first retraining. */
  probs: Float32Array | null;
  classes: number;
  rand: () => number;
  seed: number;
  dist: Distances;
  /** Ground truth for the oracle bounds only: whether the champion answers the item wrongly, and its true class. */
  oracle: { wrong(i: number): boolean; truth(i: number): string };
}

export type SimPolicy = (ctx: StepContext) => number[];

/** Pairwise Euclidean distances of the pool (Float32, n²), computed once. */
export class Distances {
  readonly d: Float32Array;
  constructor(readonly n: number, xs: Float32Array[]) {
    this.d = new Float32Array(n * n);
    const dim = xs[0]!.length;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        let s = 0;
        for (let t = 0; t < dim; t++) {
          const v = xs[i]![t]! - xs[j]![t]!;
          s += v * v;
        }
        this.d[i * n + j] = this.d[j * n + i] = Math.sqrt(s);
      }
  }
  at(i: number, j: number): number {
    return this.d[i * this.n + j]!;
  }
}

const unlabeled = (ctx: StepContext) => ctx.pool.map((_, i) => i).filter((i) => !ctx.labeled.has(i));

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function margin(ctx: StepContext, i: number): number {
  const p = ctx.probs!;
  let a = 0;
  let b = 0;
  for (let c = 0; c < ctx.classes; c++) {
    const v = p[i * ctx.classes + c]!;
    if (v > a) [a, b] = [v, a];
    else if (v > b) b = v;
  }
  return a - b;
}

function argmaxOf(ctx: StepContext, i: number): number {
  let best = 0;
  for (let c = 1; c < ctx.classes; c++) if (ctx.probs![i * ctx.classes + c]! > ctx.probs![i * ctx.classes + best]!) best = c;
  return best;
}

export const random: SimPolicy = (ctx) => shuffle(unlabeled(ctx), ctx.rand).slice(0, ctx.budget);
export const priority: SimPolicy = (ctx) => unlabeled(ctx).sort((a, b) => ctx.pool[b]!.priority - ctx.pool[a]!.priority).slice(0, ctx.budget);
export const margins: SimPolicy = (ctx) => (ctx.probs ? unlabeled(ctx).sort((a, b) => margin(ctx, a) - margin(ctx, b)).slice(0, ctx.budget) : random(ctx));

/** Random within each class the champion predicts, round robin: labels spread over the champion's classes. */
export const classBalanced: SimPolicy = (ctx) => {
  if (!ctx.probs) return random(ctx);
  const byClass = new Map<number, number[]>();
  for (const i of shuffle(unlabeled(ctx), ctx.rand)) {
    const c = argmaxOf(ctx, i);
    byClass.set(c, [...(byClass.get(c) ?? []), i]);
  }
  return roundRobin([...byClass.values()], ctx.budget);
};

function roundRobin(groups: number[][], budget: number): number[] {
  const out: number[] = [];
  for (let r = 0; out.length < budget && groups.some((g) => g.length > r); r++) for (const g of groups) if (r < g.length && out.length < budget) out.push(g[r]!);
  return out;
}

function cluster(ctx: StepContext, items: number[], k: number): number[][] {
  const fit = kmeans(items.map((i) => Array.from(ctx.pool[i]!.x)), Math.min(k, items.length), { initialization: 'kmeans++', seed: ctx.seed, maxIterations: 20 });
  const groups: number[][] = Array.from({ length: fit.centroids.length }, () => []);
  fit.clusters.forEach((c, j) => groups[c]!.push(items[j]!));
  return groups.filter((g) => g.length > 0);
}

/** 1 / mean distance to the item's k nearest neighbours among `members` (TypiClust's typicality, k = 20). */
function typicality(ctx: StepContext, i: number, members: number[]): number {
  const ds = members.filter((j) => j !== i).map((j) => ctx.dist.at(i, j)).sort((a, b) => a - b).slice(0, 20);
  return ds.length === 0 ? 0 : 1 / (ds.reduce((a, b) => a + b, 0) / ds.length + 1e-9);
}

/**
 * TypiClust (Hacohen et al. 2022): k-means with K = labeled + budget clusters over the pool
 * (`among` restricts it); from the largest clusters without a label, the most typical member.
 */
export function typiclust(among?: (ctx: StepContext, i: number) => boolean): SimPolicy {
  return (ctx) => {
    const items = ctx.pool.map((_, i) => i).filter((i) => !among || among(ctx, i) || ctx.labeled.has(i));
    const groups = cluster(ctx, items, ctx.labeled.size + ctx.budget);
    const open = groups.filter((g) => g.length >= 5 && !g.some((i) => ctx.labeled.has(i))).sort((a, b) => b.length - a.length);
    const out: number[] = [];
    for (const g of open) {
      if (out.length >= ctx.budget) break;
      let best = g[0]!;
      let top = -1;
      for (const i of g) {
        const t = typicality(ctx, i, g);
        if (t > top) [best, top] = [i, t];
      }
      out.push(best);
    }
    // Fewer open clusters than budget: the rest at random.
    if (out.length < ctx.budget) {
      const taken = new Set(out);
      out.push(...random({ ...ctx, labeled: new Set([...ctx.labeled, ...taken]), budget: ctx.budget - out.length }));
    }
    return out;
  };
}

/**
 * ProbCover (Yehuda et al. 2022): δ the largest radius whose balls stay `purity` pure w.r.t.
 * k-means (K = classes) pseudo-labels; then greedy max coverage, labeled balls covered first.
 */
export function probcover(purity = 0.95): SimPolicy {
  let delta: number | undefined;
  return (ctx) => {
    const n = ctx.pool.length;
    if (delta === undefined) {
      const groups = cluster(ctx, ctx.pool.map((_, i) => i), 10);
      const label = new Int32Array(n);
      groups.forEach((g, c) => g.forEach((i) => (label[i] = c)));
      delta = 0;
      for (let step = 1; step <= 50; step++) {
        const cand = step * 0.02;
        let pure = 0;
        for (let i = 0; i < n; i++) {
          let ok = true;
          for (let j = 0; j < n && ok; j++) if (ctx.dist.at(i, j) <= cand && label[j] !== label[i]) ok = false;
          if (ok) pure++;
        }
        if (pure / n >= purity) delta = cand;
        else break;
      }
      console.error(`    probcover: δ = ${delta.toFixed(2)} (purity ≥ ${purity})`);
    }
    // Ball members once, then gains kept up to date as points get covered (the greedy is exact).
    const ball: number[][] = Array.from({ length: n }, (_, i) => {
      const m: number[] = [];
      for (let j = 0; j < n; j++) if (ctx.dist.at(i, j) <= delta!) m.push(j);
      return m;
    });
    const covered = new Uint8Array(n);
    const gain = Int32Array.from(ball, (m) => m.length);
    const cover = (j: number) => {
      if (covered[j]) return;
      covered[j] = 1;
      for (const i of ball[j]!) gain[i]!--; // symmetric: j is in i's ball iff i is in j's
    };
    for (const l of ctx.labeled) for (const j of ball[l]!) cover(j);
    const out: number[] = [];
    const taken = new Set(ctx.labeled);
    while (out.length < ctx.budget) {
      let best = -1;
      for (let i = 0; i < n; i++) if (!taken.has(i) && gain[i]! > 0 && (best < 0 || gain[i]! > gain[best]!)) best = i;
      if (best < 0) break;
      out.push(best);
      taken.add(best);
      for (const j of ball[best]!) cover(j);
    }
    if (out.length < ctx.budget) out.push(...random({ ...ctx, labeled: taken, budget: ctx.budget - out.length }));
    return out;
  };
}

/** Cluster-margin (Citovsky et al. 2021): the lowest-margin `span` × budget items, round robin over k-means clusters, smallest first. */
export function clusterMargin(span = 4, k = 50): SimPolicy {
  return (ctx) => {
    if (!ctx.probs) return typiclust()(ctx);
    const low = unlabeled(ctx).sort((a, b) => margin(ctx, a) - margin(ctx, b)).slice(0, span * ctx.budget);
    const groups = cluster(ctx, low, k).map((g) => g.sort((a, b) => margin(ctx, a) - margin(ctx, b)));
    return roundRobin(groups.sort((a, b) => a.length - b.length), ctx.budget);
  };
}

/** BADGE (Ash et al. 2020): k-means++ seeding over gradient embeddings (p − onehot(ŷ)) ⊗ x. */
export const badge: SimPolicy = (ctx) => {
  if (!ctx.probs) return typiclust()(ctx);
  const items = unlabeled(ctx);
  const dim = ctx.pool[0]!.x.length;
  const grad = items.map((i) => {
    const g = new Float32Array(ctx.classes * dim);
    const y = argmaxOf(ctx, i);
    for (let c = 0; c < ctx.classes; c++) {
      const w = ctx.probs![i * ctx.classes + c]! - (c === y ? 1 : 0);
      for (let t = 0; t < dim; t++) g[c * dim + t] = w * ctx.pool[i]!.x[t]!;
    }
    return g;
  });
  const sq = (a: Float32Array, b: Float32Array) => {
    let s = 0;
    for (let t = 0; t < a.length; t++) s += (a[t]! - b[t]!) ** 2;
    return s;
  };
  const norms = grad.map((g) => sq(g, new Float32Array(g.length)));
  const out: number[] = [norms.indexOf(Math.max(...norms))];
  const d2 = grad.map((g) => sq(g, grad[out[0]!]!));
  while (out.length < Math.min(ctx.budget, items.length)) {
    const total = d2.reduce((a, b) => a + b, 0);
    let r = ctx.rand() * total;
    let j = 0;
    while (j < d2.length - 1 && (r -= d2[j]!) > 0) j++;
    out.push(j);
    for (let t = 0; t < grad.length; t++) d2[t] = Math.min(d2[t]!, sq(grad[t]!, grad[j]!));
  }
  return out.map((j) => items[j]!);
};

/** The first step by one policy (the cold start), the later ones by another. */
export function phased(first: SimPolicy, later: SimPolicy): SimPolicy {
  return (ctx) => (ctx.labeled.size === 0 ? first(ctx) : later(ctx));
}

/**
 * Information density (Settles & Craven 2008): margin uncertainty times representativeness, the
 * mean closeness to the item's 20 nearest pool neighbours, so ambiguous outliers wait.
 */
export function marginDensity(): SimPolicy {
  let density: Float64Array | undefined;
  return (ctx) => {
    if (!ctx.probs) return random(ctx);
    const n = ctx.pool.length;
    density ??= Float64Array.from({ length: n }, (_, i) => typicality(ctx, i, ctx.pool.map((__, j) => j)));
    const score = (i: number) => (1 - margin(ctx, i)) * density![i]!;
    return unlabeled(ctx).sort((a, b) => score(b) - score(a)).slice(0, ctx.budget);
  };
}

/** An upper-bound probe, not a policy: the items the champion answers wrongly (ground truth), at random. */
export const oracleErrors: SimPolicy = (ctx) => {
  const order = shuffle(unlabeled(ctx), ctx.rand);
  return [...order.filter((i) => ctx.oracle.wrong(i)), ...order.filter((i) => !ctx.oracle.wrong(i))].slice(0, ctx.budget);
};

/** An upper-bound probe: random within each true class, round robin (perfectly class-balanced labels). */
export const oracleBalanced: SimPolicy = (ctx) => {
  const byClass = new Map<string, number[]>();
  for (const i of shuffle(unlabeled(ctx), ctx.rand)) byClass.set(ctx.oracle.truth(i), [...(byClass.get(ctx.oracle.truth(i)) ?? []), i]);
  return roundRobin([...byClass.values()], ctx.budget);
};
