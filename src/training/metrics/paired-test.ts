import { binomialCdf, mulberry32 } from '../../drift/stats/index.js';

/** Two versions' answers on the same eval items: per item, the set of concept indexes (multiclass: one). */
export interface PairedAnswers {
  concepts: number;
  truth: readonly (readonly number[])[];
  candidate: readonly (readonly number[])[];
  champion: readonly (readonly number[])[];
}

/** Exact McNemar test on the items exactly one of the two versions gets right. */
export interface McNemarResult {
  /** Items the candidate gets right and the champion wrong. */
  candidateOnly: number;
  /** Items the champion gets right and the candidate wrong. */
  championOnly: number;
  /** Two-sided exact p-value: 2 · P(X ≤ min(b, c)), X ~ Bin(b + c, 1/2), capped at 1 (scipy `binomtest(b, b + c).pvalue`). */
  pValue: number;
}

/** Paired bootstrap of the macro-F1 difference (candidate − champion), resampling items. */
export interface PairedBootstrapResult {
  difference: number;
  /** Percentile interval of the difference at `level`. */
  interval: [number, number];
  level: number;
  /** One-sided p-value of "the candidate is not better": (1 + #{resampled difference ≤ 0}) / (1 + resamples). */
  pValue: number;
  resamples: number;
  seed: number;
}

/** Exact McNemar on per-item correctness of two versions. */
export function exactMcNemar(candidateRight: readonly boolean[], championRight: readonly boolean[]): McNemarResult {
  if (candidateRight.length !== championRight.length) throw new RangeError('both versions must answer the same items');
  let b = 0;
  let c = 0;
  candidateRight.forEach((right, i) => {
    if (right && !championRight[i]) b++;
    else if (!right && championRight[i]) c++;
  });
  const n = b + c;
  const pValue = n === 0 ? 1 : Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5));
  return { candidateOnly: b, championOnly: c, pValue };
}

/** Whether each item's predicted set equals its true set. */
export function itemCorrectness(truth: readonly (readonly number[])[], predicted: readonly (readonly number[])[]): boolean[] {
  return truth.map((t, i) => {
    const p = predicted[i]!;
    return t.length === p.length && t.every((c) => p.includes(c));
  });
}

/**
 * Paired bootstrap: each resample draws the same items for both versions, so what the
 * versions share (the items' difficulty) cancels and only their disagreement is noise.
 * Macro-F1 is averaged over the concepts with support in the resample, as `macroF1`.
 */
export function pairedBootstrapMacroF1(a: PairedAnswers, opts: { resamples: number; seed: number; level: number }): PairedBootstrapResult {
  const n = a.truth.length;
  if (a.candidate.length !== n || a.champion.length !== n) throw new RangeError('both versions must answer the same items');
  const k = a.concepts;
  // Per item and version: the concept indexes it adds to tp, fp and fn.
  const candidate = a.truth.map((t, i) => contributions(t, a.candidate[i]!));
  const champion = a.truth.map((t, i) => contributions(t, a.champion[i]!));
  const counts = { x: new Int32Array(3 * k), y: new Int32Array(3 * k) };
  const differenceOf = (draw: (i: number) => number) => {
    counts.x.fill(0);
    counts.y.fill(0);
    for (let i = 0; i < n; i++) {
      const j = draw(i);
      add(counts.x, candidate[j]!, k);
      add(counts.y, champion[j]!, k);
    }
    return macroF1Of(counts.x, k) - macroF1Of(counts.y, k);
  };
  const difference = differenceOf((i) => i);
  const random = mulberry32(opts.seed);
  const diffs = new Float64Array(opts.resamples);
  let notBetter = 0;
  for (let r = 0; r < opts.resamples; r++) {
    diffs[r] = differenceOf(() => Math.floor(random() * n));
    if (diffs[r]! <= 1e-12) notBetter++;
  }
  diffs.sort();
  const tail = (1 - opts.level) / 2;
  return {
    difference,
    interval: [quantile(diffs, tail), quantile(diffs, 1 - tail)],
    level: opts.level,
    pValue: (1 + notBetter) / (1 + opts.resamples),
    resamples: opts.resamples,
    seed: opts.seed,
  };
}

interface Contribution {
  tp: number[];
  fp: number[];
  fn: number[];
}

function contributions(truth: readonly number[], predicted: readonly number[]): Contribution {
  return {
    tp: predicted.filter((c) => truth.includes(c)),
    fp: predicted.filter((c) => !truth.includes(c)),
    fn: truth.filter((c) => !predicted.includes(c)),
  };
}

function add(counts: Int32Array, c: Contribution, k: number): void {
  for (const i of c.tp) counts[i]! += 1;
  for (const i of c.fp) counts[k + i]! += 1;
  for (const i of c.fn) counts[2 * k + i]! += 1;
}

function macroF1Of(counts: Int32Array, k: number): number {
  let sum = 0;
  let supported = 0;
  for (let c = 0; c < k; c++) {
    const tp = counts[c]!;
    const fp = counts[k + c]!;
    const fn = counts[2 * k + c]!;
    if (tp + fn === 0) continue;
    supported++;
    sum += (2 * tp) / (2 * tp + fp + fn);
  }
  return supported === 0 ? 0 : sum / supported;
}

// Linear interpolation between order statistics (numpy's default percentile).
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}
