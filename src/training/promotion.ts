import type { EvalMetrics } from './evaluate.js';

/** A version's metrics on the two held-out sets. */
export interface HeldOutMetrics {
  clean: EvalMetrics | undefined;
  production: EvalMetrics | undefined;
}

/** The promotion rule's verdict, with the figures it compared. */
export interface PromotionDecision {
  promote: boolean;
  reason: string;
  /** The champion compared against, re-scored on the same held-out data. */
  champion: { version: number; clean: EvalMetrics | null; production: EvalMetrics | null } | null;
  comparison: {
    productionMacroF1: { candidate: number; champion: number } | null;
    cleanMacroF1: { candidate: number; champion: number; regression: number; limit: number } | null;
  };
}

// Float noise must not turn an equal score into a regression or a win.
const EPSILON = 1e-9;

/**
 * DESIGN's rule: the first version becomes champion; a later one only when it beats the
 * champion's macro-F1 on production eval and loses at most `maxCleanRegression` macro-F1
 * on clean eval. Both are scored on the same data at decision time.
 */
export function decidePromotion(
  candidate: HeldOutMetrics,
  champion: ({ version: number } & HeldOutMetrics) | undefined,
  maxCleanRegression: number,
): PromotionDecision {
  if (!champion) return { promote: true, reason: 'first version of the model', champion: null, comparison: { productionMacroF1: null, cleanMacroF1: null } };
  const production =
    candidate.production && champion.production ? { candidate: candidate.production.macroF1, champion: champion.production.macroF1 } : null;
  const clean =
    candidate.clean && champion.clean
      ? {
          candidate: candidate.clean.macroF1,
          champion: champion.clean.macroF1,
          regression: champion.clean.macroF1 - candidate.clean.macroF1,
          limit: maxCleanRegression,
        }
      : null;
  const base = {
    champion: { version: champion.version, clean: champion.clean ?? null, production: champion.production ?? null },
    comparison: { productionMacroF1: production, cleanMacroF1: clean },
  };
  const vs = `champion v${champion.version}`;
  if (!production) return { promote: false, reason: `no labeled production eval data to compare with ${vs}`, ...base };
  if (production.candidate <= production.champion + EPSILON) {
    return { promote: false, reason: `does not beat ${vs} on production eval (macro-F1 ${fmt(production.candidate)} vs ${fmt(production.champion)})`, ...base };
  }
  if (clean && clean.regression > maxCleanRegression + EPSILON) {
    return {
      promote: false,
      reason: `beats ${vs} on production eval (macro-F1 ${fmt(production.candidate)} vs ${fmt(production.champion)}) but loses ${fmt(clean.regression)} macro-F1 on clean eval, more than the ${fmt(maxCleanRegression)} allowed`,
      ...base,
    };
  }
  const cleanPart = clean ? `clean eval macro-F1 change ${fmt(-clean.regression)} (limit −${fmt(maxCleanRegression)})` : 'no clean eval data to check';
  return { promote: true, reason: `beats ${vs} on production eval (macro-F1 ${fmt(production.candidate)} vs ${fmt(production.champion)}); ${cleanPart}`, ...base };
}

function fmt(x: number): string {
  return x.toFixed(4);
}
