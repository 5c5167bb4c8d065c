import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/drift/stats/index.js';
import { multiclassMetrics } from '../../../src/training/metrics/multiclass.js';
import { exactMcNemar, itemCorrectness, pairedBootstrapMacroF1, pairedRandomisationMacroF1 } from '../../../src/training/metrics/paired-test.js';

/** Per-item correctness with b items only the candidate gets right, c only the champion, and `both` right for both. */
function discordant(b: number, c: number, both = 5, neither = 5): [boolean[], boolean[]] {
  const candidate = [...Array(b).fill(true), ...Array(c).fill(false), ...Array(both).fill(true), ...Array(neither).fill(false)];
  const champion = [...Array(b).fill(false), ...Array(c).fill(true), ...Array(both).fill(true), ...Array(neither).fill(false)];
  return [candidate, champion];
}

const oneHot = (k: number, rows: number[]) => rows.map((r) => Array.from({ length: k }, (_, c) => (c === r ? 1 : 0)));

describe('exact McNemar', () => {
  // scipy 1.17.1: scipy.stats.binomtest(b, b + c, 0.5).pvalue
  const SCIPY: [number, number, number][] = [
    [3, 10, 0.09228515625],
    [0, 5, 0.0625],
    [12, 30, 0.007915897334896727],
    [50, 50, 1],
    [1, 0, 1],
    [100, 140, 0.01166409231767769],
    [25, 9, 0.00904118549078703],
    [400, 460, 0.04416954819458914],
  ];

  it.each(SCIPY)('when %i items only the candidate gets right and %i only the champion, then p matches scipy', (b, c, p) => {
    const result = exactMcNemar(...discordant(b, c));
    expect(result).toMatchObject({ candidateOnly: b, championOnly: c });
    expect(result.pValue).toBeCloseTo(p, 10);
  });

  it('when the versions agree on every item, then p is 1', () => {
    expect(exactMcNemar(...discordant(0, 0, 30, 10)).pValue).toBe(1);
  });
});

describe('paired bootstrap of the macro-F1 difference', () => {
  const random = mulberry32(5);
  const n = 188;
  const truth = Array.from({ length: n }, () => Math.floor(random() * 4));
  const noisy = (errorRate: number, r: () => number) => truth.map((t) => (r() < errorRate ? (t + 1 + Math.floor(r() * 3)) % 4 : t));

  it('when both versions give the same answers, then the difference is 0 and p is 1', () => {
    const same = noisy(0.3, mulberry32(1)).map((p) => [p]);
    const r = pairedBootstrapMacroF1({ concepts: 4, truth: truth.map((t) => [t]), candidate: same, champion: same }, { resamples: 500, seed: 3, level: 0.9 });
    expect(r).toMatchObject({ difference: 0, interval: [0, 0], pValue: 1 });
  });

  it('when the candidate is right everywhere and the champion wrong on a third, then p is the smallest possible, 1/(1+B)', () => {
    const r = pairedBootstrapMacroF1(
      { concepts: 4, truth: truth.map((t) => [t]), candidate: truth.map((t) => [t]), champion: noisy(0.33, mulberry32(2)).map((p) => [p]) },
      { resamples: 999, seed: 3, level: 0.9 },
    );
    expect(r.pValue).toBe(1 / 1000);
    expect(r.interval[0]).toBeGreaterThan(0.2);
  });

  it('when recomputed by resampling the rows and scoring them with multiclassMetrics, then difference, interval and p match', () => {
    const candidate = noisy(0.3, mulberry32(7));
    const champion = noisy(0.35, mulberry32(8));
    const B = 300;
    const seed = 11;
    const r = pairedBootstrapMacroF1(
      { concepts: 4, truth: truth.map((t) => [t]), candidate: candidate.map((p) => [p]), champion: champion.map((p) => [p]) },
      { resamples: B, seed, level: 0.9 },
    );
    const f1 = (rows: number[], answers: number[]) => multiclassMetrics(rows.map((i) => truth[i]!), oneHot(4, rows.map((i) => answers[i]!))).macroF1;
    const all = truth.map((_, i) => i);
    expect(r.difference).toBeCloseTo(f1(all, candidate) - f1(all, champion), 12);
    const draw = mulberry32(seed);
    const diffs = Array.from({ length: B }, () => {
      const rows = all.map(() => Math.floor(draw() * n));
      return f1(rows, candidate) - f1(rows, champion);
    }).sort((a, b) => a - b);
    const q = (p: number) => {
      const at = p * (B - 1);
      const lo = Math.floor(at);
      return diffs[lo]! + (at - lo) * (diffs[lo + 1]! - diffs[lo]!);
    };
    expect(r.interval[0]).toBeCloseTo(q(0.05), 12);
    expect(r.interval[1]).toBeCloseTo(q(0.95), 12);
    expect(r.pValue).toBe((1 + diffs.filter((d) => d <= 1e-12).length) / (1 + B));
  });

  it('when two versions are equally good, then p < 0.05 in no more than about 5% of 200 repetitions', () => {
    let alarms = 0;
    for (let rep = 0; rep < 200; rep++) {
      const r = pairedBootstrapMacroF1(
        { concepts: 4, truth: truth.map((t) => [t]), candidate: noisy(0.3, mulberry32(100 + rep)).map((p) => [p]), champion: noisy(0.3, mulberry32(900 + rep)).map((p) => [p]) },
        { resamples: 199, seed: rep, level: 0.9 },
      );
      if (r.pValue < 0.05) alarms++;
    }
    // Binomial(200, 0.05): mean 10, P(X > 19) < 0.5%.
    expect(alarms).toBeLessThanOrEqual(19);
  });

  it('when multilabel answers are sets, then an exact set counts as right for McNemar and every concept counts for macro-F1', () => {
    expect(itemCorrectness([[0, 2], [1]], [[2, 0], [1, 2]])).toEqual([true, false]);
    const r = pairedBootstrapMacroF1({ concepts: 3, truth: [[0, 2], [1], [2]], candidate: [[0, 2], [1], [2]], champion: [[0], [1], [2]] }, { resamples: 99, seed: 1, level: 0.9 });
    // Champion: concept 0 F1 1, concept 1 F1 1, concept 2 tp 1 fn 1 → 2/3; mean 8/9.
    expect(r.difference).toBeCloseTo(1 - 8 / 9, 12);
  });
});

describe('paired sign-flip randomisation test of the macro-F1 difference', () => {
  /** 4 concepts; `won` items only the candidate gets right, `lost` only the champion, then 12 both get right and 6 both wrong (the same wrong answer). */
  function items(won: number, lost: number) {
    const truth: number[][] = [];
    const candidate: number[][] = [];
    const champion: number[][] = [];
    const push = (t: number, a: number, b: number) => (truth.push([t]), candidate.push([a]), champion.push([b]));
    for (let i = 0; i < won; i++) push(i % 4, i % 4, (i + 1) % 4);
    for (let i = 0; i < lost; i++) push(i % 4, (i + 2) % 4, i % 4);
    for (let i = 0; i < 12; i++) push(i % 4, i % 4, i % 4);
    for (let i = 0; i < 6; i++) push(i % 4, (i + 3) % 4, (i + 3) % 4);
    return { concepts: 4, truth, candidate, champion };
  }

  it.each([
    [2, 0.25],
    [3, 0.125],
    [4, 0.0625],
  ])('when the candidate alone is right on %i items and the versions agree elsewhere, then the exact p is 1/2^%i', (won, p) => {
    const r = pairedRandomisationMacroF1(items(won, 0), { resamples: 2000, seed: 42 });
    expect(r).toMatchObject({ pValue: p, discordant: won, method: 'exact', draws: 2 ** won });
    expect(r.difference).toBeGreaterThan(0);
  });

  it('when the versions give the same answers everywhere, then the difference is 0 and p is 1', () => {
    const a = items(0, 0);
    expect(pairedRandomisationMacroF1({ ...a, candidate: a.champion }, { resamples: 2000, seed: 1 })).toMatchObject({ difference: 0, pValue: 1, discordant: 0, method: 'exact', draws: 1 });
  });

  it('when the candidate is worse, then p is large', () => {
    expect(pairedRandomisationMacroF1(items(1, 5), { resamples: 2000, seed: 1 }).pValue).toBeGreaterThan(0.9);
  });

  // Truth is always concept 0 and a wrong answer another concept: macro-F1 is concept 0's F1,
  // 2tp / (n + tp), which rises with accuracy, so the sign-flip test is the one-sided exact
  // binomial tail P(X ≥ b | b + c, 1/2) = scipy.stats.binomtest(b, b + c, 0.5, alternative='greater').pvalue.
  function oneConcept(b: number, c: number, both = 10, neither = 4) {
    const truth: number[][] = [];
    const candidate: number[][] = [];
    const champion: number[][] = [];
    const push = (x: number, y: number) => (truth.push([0]), candidate.push([x]), champion.push([y]));
    for (let i = 0; i < b; i++) push(0, 1 + (i % 3));
    for (let i = 0; i < c; i++) push(2, 0);
    for (let i = 0; i < both; i++) push(0, 0);
    for (let i = 0; i < neither; i++) push(3, 3);
    return { concepts: 4, truth, candidate, champion };
  }

  it.each([
    [7, 2, 46 / 512], // (C(9,7) + C(9,8) + C(9,9)) / 2^9 = 0.08984375
    [10, 3, 378 / 8192], // (286 + 78 + 13 + 1) / 2^13 = 0.046142578125
    [5, 5, 638 / 1024], // P(X ≥ 5 | 10) = 0.623046875
    [12, 4, 2517 / 65536], // P(X ≥ 12 | 16) = 0.0384063720703125
  ])('when only accuracy can differ, %i items won and %i lost, then p is the exact binomial tail %d', (b, c, p) => {
    const r = pairedRandomisationMacroF1(oneConcept(b, c), { resamples: 2000, seed: 5 });
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(p, 12);
  });

  it('when there are more discordant items than it enumerates, then the Monte Carlo p agrees with the exact enumeration of the same data within its error', () => {
    const random = mulberry32(9);
    const truth = Array.from({ length: 120 }, () => Math.floor(random() * 4));
    const champion = truth.map((t) => (random() < 0.65 ? t : (t + 1) % 4));
    const candidate = champion.map((a, i) => (i < 20 ? (i % 3 === 0 ? (truth[i]! + 2) % 4 : truth[i] === a ? (a + 3) % 4 : truth[i]!) : a));
    const a = { concepts: 4, truth: truth.map((t) => [t]), candidate: candidate.map((x) => [x]), champion: champion.map((x) => [x]) };
    const exact = pairedRandomisationMacroF1(a, { resamples: 0, seed: 0, exactUpTo: 20 });
    const R = 4000;
    const mc = pairedRandomisationMacroF1(a, { resamples: R, seed: 3 });
    expect(exact).toMatchObject({ method: 'exact', discordant: 20 });
    expect(mc).toMatchObject({ method: 'monte-carlo', discordant: 20, draws: R });
    expect(exact.pValue).toBeGreaterThan(0.01);
    expect(exact.pValue).toBeLessThan(0.99);
    // Four standard errors of a proportion from R draws, plus the +1 correction.
    expect(Math.abs(mc.pValue - exact.pValue)).toBeLessThan(4 * Math.sqrt((exact.pValue * (1 - exact.pValue)) / R) + 1 / R);
    expect(pairedRandomisationMacroF1(a, { resamples: R, seed: 3 })).toEqual(mc);
  });

  it('when two versions are equally good, then p < 0.05 in no more than about 5% of 200 repetitions', () => {
    const random = mulberry32(5);
    const truth = Array.from({ length: 188 }, () => Math.floor(random() * 4));
    const noisy = (r: () => number) => truth.map((t) => [r() < 0.3 ? (t + 1 + Math.floor(r() * 3)) % 4 : t]);
    let alarms = 0;
    for (let rep = 0; rep < 200; rep++) {
      const r = pairedRandomisationMacroF1({ concepts: 4, truth: truth.map((t) => [t]), candidate: noisy(mulberry32(100 + rep)), champion: noisy(mulberry32(900 + rep)) }, { resamples: 199, seed: rep });
      if (r.pValue < 0.05) alarms++;
    }
    // Binomial(200, 0.05): mean 10, P(X > 19) < 0.5%.
    expect(alarms).toBeLessThanOrEqual(19);
  });
});
