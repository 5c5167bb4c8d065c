import { describe, expect, it } from 'vitest';
import type { EvalMetrics } from '../../src/training/evaluate.js';
import { decidePromotion } from '../../src/training/promotion.js';

function m(macroF1: number): EvalMetrics {
  return { count: 100, accuracy: macroF1, macroF1, perConcept: {}, confusion: { concepts: [], matrix: [] }, ece: 0 };
}

const LIMIT = 0.02;

describe('promotion rule', () => {
  it('when there is no champion, then the first version is promoted', () => {
    const d = decidePromotion({ clean: m(0.7), production: undefined }, undefined, LIMIT);
    expect(d).toMatchObject({ promote: true, reason: 'first version of the model', champion: null });
  });

  it('when the candidate beats the champion on production eval and keeps clean macro-F1 within the limit, then it is promoted', () => {
    const d = decidePromotion({ clean: m(0.89), production: m(0.8) }, { version: 3, clean: m(0.9), production: m(0.6) }, LIMIT);
    expect(d.promote).toBe(true);
    expect(d.reason).toMatch(/^beats champion v3 on production eval \(macro-F1 0\.8000 vs 0\.6000\); clean eval macro-F1 change -0\.0100/);
    expect(d.comparison.cleanMacroF1).toMatchObject({ candidate: 0.89, champion: 0.9, limit: LIMIT });
    expect(d.comparison.cleanMacroF1!.regression).toBeCloseTo(0.01, 12);
  });

  it('when the clean regression equals the limit, then it is still promoted', () => {
    expect(decidePromotion({ clean: m(0.88), production: m(0.8) }, { version: 1, clean: m(0.9), production: m(0.7) }, LIMIT).promote).toBe(true);
  });

  it('when the candidate does not beat the champion on production eval, then it stays a challenger with that reason', () => {
    const d = decidePromotion({ clean: m(0.95), production: m(0.6) }, { version: 2, clean: m(0.9), production: m(0.6) }, LIMIT);
    expect(d.promote).toBe(false);
    expect(d.reason).toBe('does not beat champion v2 on production eval (macro-F1 0.6000 vs 0.6000)');
  });

  it('when the candidate wins on production but loses too much clean macro-F1, then it stays a challenger with that reason', () => {
    const d = decidePromotion({ clean: m(0.85), production: m(0.9) }, { version: 1, clean: m(0.9), production: m(0.5) }, LIMIT);
    expect(d.promote).toBe(false);
    expect(d.reason).toBe(
      'beats champion v1 on production eval (macro-F1 0.9000 vs 0.5000) but loses 0.0500 macro-F1 on clean eval, more than the 0.0200 allowed',
    );
  });

  it('when there is no labeled production eval data, then a later version cannot win', () => {
    const d = decidePromotion({ clean: m(0.99), production: undefined }, { version: 1, clean: m(0.5), production: undefined }, LIMIT);
    expect(d).toMatchObject({ promote: false, reason: 'no labeled production eval data to compare with champion v1' });
  });
});
