import { describe, expect, it } from 'vitest';
import type { EvalMetrics } from '../../src/training/evaluate.js';
import { mulberry32 } from '../../src/drift/stats/index.js';
import { multiclassMetrics } from '../../src/training/metrics/multiclass.js';
import { pairedEvidence } from '../../src/training/paired-evidence.js';
import { decidePromotion, type EvalSetRef, type PairedEvidence, type PromotionRules } from '../../src/training/promotion.js';

function m(macroF1: number, count = 100): EvalMetrics {
  return { count, accuracy: macroF1, macroF1, perConcept: {}, confusion: { concepts: [], matrix: [] }, ece: 0 };
}

const set = (name: EvalSetRef['name'], size: number): EvalSetRef => ({ name, size, digest: '0123456789abcdef', asOf: '2026-11-30T12:00:00.000Z' });
const RULES: PromotionRules = {
  maxCleanRegression: 0.02,
  alpha: 0.05,
  minEval: { examples: 30, perConcept: 5 },
  evalSets: { production: set('production-eval', 100), clean: set('clean-eval', 100) },
};

/** Metrics on a set with `support` examples of each concept. */
function bySupport(macroF1: number, support: Record<string, number>): EvalMetrics {
  const perConcept = Object.fromEntries(Object.entries(support).map(([c, n]) => [c, { precision: 1, recall: 1, f1: 1, support: n }]));
  const count = Object.values(support).reduce((a, b) => a + b, 0);
  return { ...m(macroF1, count), perConcept };
}

/** Paired evidence with a given sign-flip p-value (the rule reads only its verdict and figures); the bootstrap's own p says "significant" to show it decides nothing. */
function evidence(pValue: number): PairedEvidence {
  return {
    randomisation: { difference: 0.1, pValue, discordant: 25, method: 'monte-carlo', draws: 2000, seed: 42 },
    bootstrap: { difference: 0.1, interval: [0.02, 0.18], level: 0.9, pValue: 0.0005, resamples: 2000, seed: 42 },
    mcnemar: { candidateOnly: 20, championOnly: 5, pValue: 0.004 },
  };
}

describe('promotion rule', () => {
  it('when there is no champion and the held-out data meets the minimum, then the version becomes the first champion and the record says what it rested on', () => {
    const d = decidePromotion({ clean: bySupport(0.7, { a: 20, b: 15 }), production: undefined }, undefined, RULES);
    expect(d).toMatchObject({ promote: true, champion: null, evidence: { examples: 35, clean: 35, production: 0, perConcept: { a: 20, b: 15 }, sufficient: true } });
    expect(d.reason).toBe(
      'first champion of the model: evaluated on 35 held-out eval examples (35 clean, 0 production), fewest per concept 15; retrain.minEvalExamples asks 30 and retrain.minEvalPerConcept 5',
    );
  });

  it('when there is no champion and only a few held-out examples, then the version stays a challenger and the reason says what it had and what the rule asks', () => {
    const d = decidePromotion({ clean: bySupport(1, { a: 1, b: 1 }), production: undefined }, undefined, RULES);
    expect(d).toMatchObject({ promote: false, champion: null, evidence: { examples: 2, required: { examples: 30, perConcept: 5 }, sufficient: false } });
    expect(d.reason).toBe(
      "no champion yet, and too little held-out data for this version's metrics to mean much: 2 held-out eval examples (2 clean, 0 production), fewest per concept 1, where retrain.minEvalExamples asks 30 and retrain.minEvalPerConcept 5; below the per-concept minimum: a (1), b (1); an admin may still promote it by hand",
    );
  });

  it('when there is no champion and enough held-out examples in total but one concept has too few, then the version stays a challenger naming that concept', () => {
    const d = decidePromotion({ clean: bySupport(0.9, { a: 40, b: 4 }), production: bySupport(0.9, { a: 10, b: 0 }) }, undefined, RULES);
    expect(d).toMatchObject({ promote: false, evidence: { examples: 54, clean: 44, production: 10, perConcept: { a: 50, b: 4 }, sufficient: false } });
    expect(d.reason).toMatch(/below the per-concept minimum: b \(4\); an admin/);
  });

  it('when there is no champion, then clean and production eval examples count together', () => {
    const d = decidePromotion({ clean: bySupport(0.9, { a: 10, b: 10 }), production: bySupport(0.8, { a: 6, b: 5 }) }, undefined, RULES);
    expect(d).toMatchObject({ promote: true, evidence: { examples: 31, perConcept: { a: 16, b: 15 }, sufficient: true } });
  });

  it('when there is no champion and no held-out data at all, then the version stays a challenger', () => {
    const d = decidePromotion({ clean: undefined, production: undefined }, undefined, RULES);
    expect(d).toMatchObject({ promote: false, evidence: { examples: 0, sufficient: false } });
  });

  it('when a champion is compared against, then the first-champion minimum does not apply and no evidence is recorded', () => {
    const d = decidePromotion({ clean: bySupport(0.9, { a: 1 }), production: bySupport(0.9, { a: 2 }) }, { version: 1, clean: m(0.9), production: m(0.5), paired: evidence(0.001) }, RULES);
    expect(d).toMatchObject({ promote: true, evidence: null });
  });

  it('when the candidate beats the champion beyond noise and keeps clean macro-F1 within the limit, then it is promoted and the record names the sets and the test', () => {
    const d = decidePromotion({ clean: m(0.89), production: m(0.8) }, { version: 3, clean: m(0.9), production: m(0.6), paired: evidence(0.001) }, RULES);
    expect(d.promote).toBe(true);
    expect(d.reason).toMatch(/^beats champion v3 on production eval \(macro-F1 0\.8000 vs 0\.6000 on the same 100 production-eval items; paired sign-flip p = 0\.001 \(Monte Carlo, 25 items answered differently\) vs alpha 0\.05; bootstrap 90% interval of the difference \[0\.0200, 0\.1800\]/);
    expect(d.reason).toMatch(/exact McNemar p = 0\.004 \(20 items only the candidate gets right, 5 only the champion\)\); clean eval macro-F1 change -0\.0100/);
    expect(d.evalSets.production).toMatchObject({ name: 'production-eval', size: 100 });
    expect(d.comparison.productionMacroF1).toMatchObject({ candidate: 0.8, champion: 0.6, evalSet: { name: 'production-eval', size: 100 } });
    expect(d.comparison.significance).toMatchObject({ alpha: 0.05, significant: true, test: expect.stringMatching(/^paired sign-flip randomisation test .*, Monte Carlo, 2000 random swaps of the 25 items/) });
    expect(d.comparison.cleanMacroF1!.regression).toBeCloseTo(0.01, 12);
  });

  it('when the production gain is within noise (paired p ≥ alpha), then the candidate stays a challenger and the reason states the test', () => {
    const d = decidePromotion({ clean: m(0.95), production: m(0.3928, 188) }, { version: 1, clean: m(0.95), production: m(0.3196, 188), paired: evidence(0.21) }, {
      ...RULES,
      evalSets: { production: set('production-eval', 188), clean: set('clean-eval', 100) },
    });
    expect(d.promote).toBe(false);
    expect(d.comparison.significance).toMatchObject({ significant: false });
    expect(d.reason).toMatch(/^the production-eval gain over champion v1 is within noise \(macro-F1 0\.3928 vs 0\.3196 on the same 188 production-eval items; paired sign-flip p = 0\.210 .* vs alpha 0\.05/);
  });

  it('when the clean regression equals the limit, then it is still promoted', () => {
    expect(decidePromotion({ clean: m(0.88), production: m(0.8) }, { version: 1, clean: m(0.9), production: m(0.7), paired: evidence(0.01) }, RULES).promote).toBe(true);
  });

  it('when the candidate does not beat the champion on production eval, then it stays a challenger with that reason', () => {
    const d = decidePromotion({ clean: m(0.95), production: m(0.6) }, { version: 2, clean: m(0.9), production: m(0.6), paired: evidence(0.5) }, RULES);
    expect(d.promote).toBe(false);
    expect(d.reason).toBe('does not beat champion v2 on production eval (macro-F1 0.6000 vs 0.6000 on the same 100 production-eval items)');
  });

  it('when the candidate wins on production beyond noise but loses too much clean macro-F1, then it stays a challenger with that reason', () => {
    const d = decidePromotion({ clean: m(0.85), production: m(0.9) }, { version: 1, clean: m(0.9), production: m(0.5), paired: evidence(0.001) }, RULES);
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(/^beats champion v1 on production eval .* but loses 0\.0500 macro-F1 on clean eval, more than the 0\.0200 allowed$/);
  });

  it('when there is no labeled production eval data, then a later version cannot win', () => {
    const d = decidePromotion({ clean: m(0.99), production: undefined }, { version: 1, clean: m(0.5), production: undefined, paired: null }, RULES);
    expect(d).toMatchObject({ promote: false, reason: 'no labeled production eval data to compare with champion v1' });
  });

  it('when a retrain on about one new label differs from the champion only by training noise, then the real paired evidence refuses it', () => {
    // 188 production-eval items, 4 concepts; the champion is right on 60%. The retrained
    // candidate answers the same except on 14 items, 9 of which it gets right: a higher
    // macro-F1 by chance, as a rerun of training moves a few answers.
    const random = mulberry32(21);
    const truth = Array.from({ length: 188 }, () => Math.floor(random() * 4));
    const champion = truth.map((t) => (random() < 0.6 ? t : (t + 1) % 4));
    const candidate = [...champion];
    let flipped = 0;
    for (let i = 0; i < truth.length && flipped < 14; i++) {
      const right = flipped < 9;
      if ((champion[i] === truth[i]) === right) continue;
      candidate[i] = right ? truth[i]! : (truth[i]! + 2) % 4;
      flipped++;
    }
    const f1 = (answers: number[]) => multiclassMetrics(truth, answers.map((a) => [0, 1, 2, 3].map((c) => (c === a ? 1 : 0)))).macroF1;
    const paired = pairedEvidence(truth.map((t) => [t]), candidate.map((a) => [a]), champion.map((a) => [a]), 4, { resamples: 2000, seed: 42 })!;
    expect(f1(candidate)).toBeGreaterThan(f1(champion));
    expect(paired.mcnemar).toMatchObject({ candidateOnly: 9, championOnly: 5 });
    // scipy.stats.binomtest(5, 14, 0.5).pvalue
    expect(paired.mcnemar.pValue).toBeCloseTo(0.4239501953125, 10);
    const d = decidePromotion(
      { clean: m(0.95), production: m(f1(candidate), 188) },
      { version: 1, clean: m(0.95), production: m(f1(champion), 188), paired },
      { ...RULES, evalSets: { production: set('production-eval', 188), clean: set('clean-eval', 100) } },
    );
    expect(paired.randomisation).toMatchObject({ discordant: 14, method: 'exact', draws: 2 ** 14 });
    expect(paired.randomisation.pValue).toBeGreaterThan(0.05);
    expect(paired.bootstrap.interval[0]).toBeLessThan(0);
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(/within noise/);
  });

  /** 188 production-eval items, 4 concepts, champion right on 60%; the candidate answers the same except where `change` says. */
  function realPairs(change: (truth: number, champion: number, i: number) => number) {
    const random = mulberry32(31);
    const truth = Array.from({ length: 188 }, () => Math.floor(random() * 4));
    const champion = truth.map((t) => (random() < 0.6 ? t : (t + 1) % 4));
    const candidate = champion.map((a, i) => change(truth[i]!, a, i));
    const f1 = (answers: number[]) => multiclassMetrics(truth, answers.map((a) => [0, 1, 2, 3].map((c) => (c === a ? 1 : 0)))).macroF1;
    const paired = pairedEvidence(truth.map((t) => [t]), candidate.map((a) => [a]), champion.map((a) => [a]), 4, { resamples: 2000, seed: 42 })!;
    const rules = { ...RULES, evalSets: { production: set('production-eval', 188), clean: set('clean-eval', 100) } };
    const d = decidePromotion({ clean: m(0.95), production: m(f1(candidate), 188) }, { version: 1, clean: m(0.95), production: m(f1(champion), 188), paired }, rules);
    return { paired, d };
  }

  const noiseReason = (won: number, p: number) =>
    `paired sign-flip p = ${p.toFixed(3)} (exact over the ${2 ** won} swaps of the ${won} items the versions answer differently) vs alpha 0.05`;

  it.each([
    [2, 0.25],
    [3, 0.125],
    [4, 0.0625],
  ])('when the production-eval set is %i items the candidate gets right and the champion wrong, then it is not promoted: the exact sign-flip p is %d', (won, p) => {
    const truth = Array.from({ length: won }, (_, i) => [i % 4]);
    const paired = pairedEvidence(truth, truth, truth.map(([t]) => [(t! + 1) % 4]), 4, { resamples: 2000, seed: 42 })!;
    // The bootstrap alone called this a win: every resample has the candidate ahead.
    expect(paired.bootstrap.pValue).toBeCloseTo(1 / 2001, 12);
    expect(paired.randomisation).toMatchObject({ difference: 1, pValue: p, discordant: won, method: 'exact', draws: 2 ** won });
    const rules = { ...RULES, evalSets: { production: set('production-eval', won), clean: set('clean-eval', 100) } };
    const d = decidePromotion({ clean: m(0.95), production: m(1, won) }, { version: 1, clean: m(0.95), production: m(0, won), paired }, rules);
    expect(d.promote).toBe(false);
    expect(d.comparison.significance).toMatchObject({ significant: false, test: expect.stringMatching(new RegExp(`exact over all ${2 ** won} swaps of the ${won} items answered differently$`)) });
    expect(d.reason).toContain(`the production-eval gain over champion v1 is within noise (macro-F1 1.0000 vs 0.0000 on the same ${won} production-eval items; ${noiseReason(won, p)}`);
  });

  it('when the candidate differs from the champion on 188 production-eval items only by being right on 4 more, then it is not promoted though the bootstrap p was below alpha', () => {
    let fixed = 0;
    const { paired, d } = realPairs((t, a) => (a !== t && fixed < 4 ? (fixed++, t) : a));
    expect(paired.bootstrap.pValue).toBeLessThan(0.05);
    expect(paired.randomisation).toMatchObject({ pValue: 0.0625, discordant: 4, method: 'exact' });
    expect(paired.mcnemar).toMatchObject({ candidateOnly: 4, championOnly: 0 });
    expect(d.promote).toBe(false);
    expect(d.reason).toContain(noiseReason(4, 0.0625));
  });

  it('when the candidate fixes a real share of the champion\'s errors and breaks few of its answers, then it is promoted', () => {
    // Of the champion's ~75 errors the candidate fixes every second; it breaks every tenth right answer.
    let wrong = 0;
    let right = 0;
    const { paired, d } = realPairs((t, a) => (a !== t ? (wrong++ % 2 === 0 ? t : a) : right++ % 10 === 0 ? (t + 2) % 4 : a));
    expect(paired.randomisation).toMatchObject({ method: 'monte-carlo', draws: 2000 });
    expect(paired.randomisation.pValue).toBeLessThan(0.01);
    expect(d.promote).toBe(true);
    expect(d.reason).toMatch(/^beats champion v1 on production eval .*paired sign-flip p = .* \(Monte Carlo, \d+ items answered differently\)/);
  });
});
