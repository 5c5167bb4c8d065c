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

/** Paired bootstrap of the macro-F1 difference (candidate − champion), resampling items: an effect size; its p-value is anti-conservative on few items and decides nothing. */
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

/**
 * Paired randomisation (sign-flip) test of the macro-F1 difference (candidate − champion).
 * Under H0 the two answers to each item are exchangeable; only items answered differently
 * can move the difference, so their swaps are enumerated exactly when there are at most
 * `exactUpTo` of them, and drawn at random otherwise.
 */
export interface PairedRandomisationResult {
  difference: number;
  /** One-sided p-value of "the candidate is not better": exact, #{swaps with difference ≥ observed} / 2^discordant; Monte Carlo, (1 + #{draws with difference ≥ observed}) / (1 + draws). */
  pValue: number;
  /** Items the two versions answer differently: the only ones a swap changes. */
  discordant: number;
  method: 'exact' | 'monte-carlo';
  /** Swap subsets evaluated: 2^discordant (exact) or the random draws (Monte Carlo). */
  draws: number;
  seed: number;
}

/** Above this many discordant items (2^16 = 65,536 swap subsets) the sign-flip test draws at random. */
export const EXACT_SIGN_FLIP_UP_TO = 16;

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
  return truth.map((t, i) => sameSet(t, predicted[i]!));
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

/** The sign-flip test of `PairedRandomisationResult`; `resamples` random draws when it cannot enumerate. */
export function pairedRandomisationMacroF1(
  a: PairedAnswers,
  opts: { resamples: number; seed: number; exactUpTo?: number },
): PairedRandomisationResult {
  const n = a.truth.length;
  if (a.candidate.length !== n || a.champion.length !== n) throw new RangeError('both versions must answer the same items');
  const k = a.concepts;
  const exactUpTo = opts.exactUpTo ?? EXACT_SIGN_FLIP_UP_TO;
  const shared = new Int32Array(3 * k);
  const candidate: Contribution[] = [];
  const champion: Contribution[] = [];
  a.truth.forEach((t, i) => {
    if (sameSet(a.candidate[i]!, a.champion[i]!)) add(shared, contributions(t, a.candidate[i]!), k);
    else {
      candidate.push(contributions(t, a.candidate[i]!));
      champion.push(contributions(t, a.champion[i]!));
    }
  });
  const m = candidate.length;
  const x = Int32Array.from(shared);
  const y = Int32Array.from(shared);
  for (let j = 0; j < m; j++) {
    add(x, candidate[j]!, k);
    add(y, champion[j]!, k);
  }
  const difference = macroF1Of(x, k) - macroF1Of(y, k);
  const atLeast = (d: number) => d >= difference - 1e-12;
  const swap = (j: number, swapped: boolean) => {
    const [inX, inY] = swapped ? [champion[j]!, candidate[j]!] : [candidate[j]!, champion[j]!];
    add(x, inX, k, -1);
    add(x, inY, k);
    add(y, inY, k, -1);
    add(y, inX, k);
  };
  if (m <= exactUpTo) {
    // Gray code: each subset differs from the previous by one swap, so the counts update in place.
    const swapped = new Uint8Array(m);
    const subsets = 2 ** m;
    let hits = 1;
    for (let s = 1; s < subsets; s++) {
      const j = 31 - Math.clz32(s & -s);
      swap(j, swapped[j] === 1);
      swapped[j] ^= 1;
      if (atLeast(macroF1Of(x, k) - macroF1Of(y, k))) hits++;
    }
    return { difference, pValue: hits / subsets, discordant: m, method: 'exact', draws: subsets, seed: opts.seed };
  }
  const random = mulberry32(opts.seed);
  let hits = 0;
  for (let r = 0; r < opts.resamples; r++) {
    x.set(shared);
    y.set(shared);
    for (let j = 0; j < m; j++) {
      const flip = random() < 0.5;
      add(x, flip ? champion[j]! : candidate[j]!, k);
      add(y, flip ? candidate[j]! : champion[j]!, k);
    }
    if (atLeast(macroF1Of(x, k) - macroF1Of(y, k))) hits++;
  }
  return { difference, pValue: (1 + hits) / (1 + opts.resamples), discordant: m, method: 'monte-carlo', draws: opts.resamples, seed: opts.seed };
}

function sameSet(p: readonly number[], q: readonly number[]): boolean {
  return p.length === q.length && p.every((c) => q.includes(c));
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

function add(counts: Int32Array, c: Contribution, k: number, sign = 1): void {
  for (const i of c.tp) counts[i]! += sign;
  for (const i of c.fp) counts[k + i]! += sign;
  for (const i of c.fn) counts[2 * k + i]! += sign;
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
