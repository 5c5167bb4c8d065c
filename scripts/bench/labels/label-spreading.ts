import type { LabeledRows } from '../../../src/training/training-data.js';

export interface SpreadSettings {
  /** Neighbours per node in the k-NN graph. */
  k: number;
  /** How much of a node's label comes from its neighbours (Zhou et al.'s α; sklearn's `alpha`). */
  alpha: number;
  /** Least share of the spread label mass the top concept needs for the item to train on it. */
  minConfidence: number;
  /** Iterations of F ← αSF + (1 − α)Y. */
  iterations?: number;
}

/** An unlabeled item that got a pseudo-label: its index in `unlabeled`, the concept and its share of the spread mass. */
export interface PseudoLabel {
  index: number;
  concept: number;
  confidence: number;
}

/**
 * Label spreading (Zhou et al. 2004, as sklearn's `LabelSpreading(kernel='knn')`): the labeled
 * production rows of `rows` and the unlabeled production embeddings form a symmetric k-NN
 * graph; labels spread over its normalised affinity S = D^-1/2 W D^-1/2 by
 * F ← αSF + (1 − α)Y. Each unlabeled item whose top concept holds at least `minConfidence`
 * of its spread mass gets that concept as a pseudo-label. Multiclass only. Original examples do
 * not seed the graph: they are the distribution the drifted inputs left. Measured offline
 * (propagation-sim.ts) and not shipped: it did not help (docs/regions.md).
 */
export function spreadLabels(rows: LabeledRows, concepts: number, unlabeled: ArrayLike<number>[], settings: SpreadSettings): PseudoLabel[] {
  const seeds: number[] = [];
  for (let i = 0; i < rows.n; i++) if (rows.production[i] === 1) seeds.push(i);
  const dim = rows.dim;
  const extra = unlabeled;
  if (seeds.length === 0 || extra.length === 0) return [];
  const n = seeds.length + extra.length;
  const x = new Float32Array(n * dim);
  seeds.forEach((r, i) => x.set(rows.x.subarray(r * dim, (r + 1) * dim), i * dim));
  extra.forEach((e, i) => x.set(e, (seeds.length + i) * dim));
  const y = new Float32Array(n * concepts);
  seeds.forEach((r, i) => y.set(rows.y.subarray(r * concepts, (r + 1) * concepts), i * concepts));

  const f = propagate(knnGraph(x, n, dim, Math.min(settings.k, n - 1)), y, n, concepts, settings.alpha, settings.iterations ?? 30);
  const picked: PseudoLabel[] = [];
  for (let i = seeds.length; i < n; i++) {
    let sum = 0;
    let best = 0;
    for (let c = 0; c < concepts; c++) {
      sum += f[i * concepts + c]!;
      if (f[i * concepts + c]! > f[i * concepts + best]!) best = c;
    }
    const confidence = sum > 0 ? f[i * concepts + best]! / sum : 0;
    if (confidence >= settings.minConfidence && confidence > 0) picked.push({ index: i - seeds.length, concept: best, confidence });
  }
  return picked;
}

/** Symmetric 0/1 k-NN adjacency (i ~ j when either is among the other's k nearest), as neighbour lists. */
export function knnGraph(x: Float32Array, n: number, dim: number, k: number): number[][] {
  const adjacency = Array.from({ length: n }, () => new Set<number>());
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const diff = x[i * dim + t]! - x[j * dim + t]!;
        s += diff * diff;
      }
      d[j] = j === i ? Infinity : s;
    }
    for (const j of smallest(d, k)) {
      adjacency[i]!.add(j);
      adjacency[j]!.add(i);
    }
  }
  return adjacency.map((s) => [...s]);
}

/** F after `iterations` of F ← αSF + (1 − α)Y with S = D^-1/2 W D^-1/2 over the 0/1 graph. */
export function propagate(graph: number[][], y: Float32Array, n: number, concepts: number, alpha: number, iterations: number): Float64Array {
  const scale = graph.map((nb) => (nb.length > 0 ? 1 / Math.sqrt(nb.length) : 0));
  let f = Float64Array.from(y);
  for (let it = 0; it < iterations; it++) {
    const next = new Float64Array(n * concepts);
    for (let i = 0; i < n; i++) {
      for (const j of graph[i]!) {
        const w = alpha * scale[i]! * scale[j]!;
        for (let c = 0; c < concepts; c++) next[i * concepts + c]! += w * f[j * concepts + c]!;
      }
      for (let c = 0; c < concepts; c++) next[i * concepts + c]! += (1 - alpha) * y[i * concepts + c]!;
    }
    f = next;
  }
  return f;
}

function smallest(d: Float64Array, k: number): number[] {
  const idx: number[] = [];
  for (let j = 0; j < d.length; j++) {
    if (idx.length < k) {
      idx.push(j);
      idx.sort((a, b) => d[a]! - d[b]!);
    } else if (d[j]! < d[idx[k - 1]!]!) {
      idx[k - 1] = j;
      for (let t = k - 1; t > 0 && d[idx[t]!]! < d[idx[t - 1]!]!; t--) [idx[t], idx[t - 1]] = [idx[t - 1]!, idx[t]!];
    }
  }
  return idx;
}
