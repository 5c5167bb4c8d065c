import { describeEvidence, evalEvidence, type EvalEvidence } from './eval-evidence.js';
import type { EvalMetrics } from './evaluate.js';
import type { McNemarResult, PairedBootstrapResult, PairedRandomisationResult } from './metrics/paired-test.js';

/** A version's metrics on the two held-out sets. */
export interface HeldOutMetrics {
  clean: EvalMetrics | undefined;
  production: EvalMetrics | undefined;
}

/** Which held-out set a comparison ran on: both versions were scored on exactly these items. */
export interface EvalSetRef {
  name: 'production-eval' | 'clean-eval';
  size: number;
  /** sha256 of the sorted item ids, first 16 hex digits: two records with the same digest compared the same items. */
  digest: string;
  /** When the data was read (the candidate's `trainedOn.dataAsOf`). */
  asOf: string;
}

/** The noise check of the production comparison: paired on the same items. */
export interface PairedEvidence {
  /** The decision test: paired sign-flip randomisation test of the production macro-F1 difference. */
  randomisation: PairedRandomisationResult;
  /** Effect size: percentile interval of the same difference. Its p-value is recorded but decides nothing (anti-conservative on few items). */
  bootstrap: PairedBootstrapResult;
  /** Accuracy view of the same pairs, recorded beside it: exact McNemar on the discordant items. */
  mcnemar: McNemarResult;
}

/**
 * The paired evidence as read back from a stored decision: records made before the sign-flip
 * test (2026-12-02) have no `randomisation`, as the bootstrap p decided them.
 */
export type StoredPairedEvidence = Omit<PairedEvidence, 'randomisation'> & Partial<Pick<PairedEvidence, 'randomisation'>>;

/** The champion as re-scored at decision time, with the paired evidence on the production set. */
export interface ChampionAtDecision extends HeldOutMetrics {
  version: number;
  paired: PairedEvidence | null;
}

/** What the rule is given besides the metrics. */
export interface PromotionRules {
  maxCleanRegression: number;
  /** The candidate must beat the champion with a paired one-sided p-value below this. */
  alpha: number;
  /** Without a champion: the held-out examples a version needs, in total and per concept, to be promoted by the rule. */
  minEval: EvalEvidence['required'];
  evalSets: { production: EvalSetRef | null; clean: EvalSetRef | null };
}

/**
 * The promotion rule's verdict, with the figures it compared. `P` is the paired evidence: whole
 * in a decision being made, `StoredPairedEvidence` in one read back (see `StoredPromotionDecision`).
 */
export interface PromotionDecision<P extends StoredPairedEvidence = PairedEvidence> {
  promote: boolean;
  reason: string;
  /** The champion compared against, re-scored on the same held-out data. */
  champion: { version: number; clean: EvalMetrics | null; production: EvalMetrics | null } | null;
  /** The sets both versions were scored on at decision time. */
  evalSets: { production: EvalSetRef | null; clean: EvalSetRef | null };
  /** Without a champion: the held-out data the version was evaluated on, against the minimum. Null when a champion was compared against. */
  evidence: EvalEvidence | null;
  comparison: {
    productionMacroF1: { candidate: number; champion: number; evalSet: EvalSetRef | null } | null;
    cleanMacroF1: { candidate: number; champion: number; regression: number; limit: number; evalSet: EvalSetRef | null } | null;
    /** The test that decides whether the production difference is more than noise. */
    significance: ({ test: string; alpha: number; significant: boolean } & P) | null;
  };
}

/** A decision as stored with its version: it may predate the sign-flip test. */
export type StoredPromotionDecision = PromotionDecision<StoredPairedEvidence>;

// Float noise must not turn an equal score into a regression or a win.
const EPSILON = 1e-9;

/**
 * DESIGN's rule: a version beats the champion when its macro-F1 on production eval is higher
 * by more than noise (a paired test on the same items, p < alpha) and it loses at most
 * `maxCleanRegression` macro-F1 on clean eval. Both versions are scored on the same data at
 * decision time, and the record names it. Without a champion there is nothing to beat, so
 * the evaluation itself must mean something: at least `minEval` held-out examples in total
 * and per concept; with fewer, the metrics would be presented as facts they are not.
 */
export function decidePromotion(candidate: HeldOutMetrics, champion: ChampionAtDecision | undefined, rules: PromotionRules): PromotionDecision {
  const { evalSets, maxCleanRegression, alpha } = rules;
  if (!champion) return decideFirstChampion(candidate, rules);
  const production =
    candidate.production && champion.production
      ? { candidate: candidate.production.macroF1, champion: champion.production.macroF1, evalSet: evalSets.production }
      : null;
  const clean =
    candidate.clean && champion.clean
      ? {
          candidate: candidate.clean.macroF1,
          champion: champion.clean.macroF1,
          regression: champion.clean.macroF1 - candidate.clean.macroF1,
          limit: maxCleanRegression,
          evalSet: evalSets.clean,
        }
      : null;
  const significance = champion.paired
    ? { test: testName(champion.paired.randomisation), alpha, significant: champion.paired.randomisation.pValue < alpha, ...champion.paired }
    : null;
  const base = {
    champion: { version: champion.version, clean: champion.clean ?? null, production: champion.production ?? null },
    evalSets,
    evidence: null,
    comparison: { productionMacroF1: production, cleanMacroF1: clean, significance },
  };
  const vs = `champion v${champion.version}`;
  if (!production) return { promote: false, reason: `no labeled production eval data to compare with ${vs}`, ...base };
  const figures = `macro-F1 ${fmt(production.candidate)} vs ${fmt(production.champion)} on the same ${production.evalSet?.size ?? candidate.production!.count} production-eval items`;
  if (production.candidate <= production.champion + EPSILON) {
    return { promote: false, reason: `does not beat ${vs} on production eval (${figures})`, ...base };
  }
  if (!significance?.significant) {
    const test = significance ? `; ${noiseNote(significance)}` : '; no paired test possible';
    return { promote: false, reason: `the production-eval gain over ${vs} is within noise (${figures}${test})`, ...base };
  }
  const won = `beats ${vs} on production eval (${figures}; ${noiseNote(significance)})`;
  if (clean && clean.regression > maxCleanRegression + EPSILON) {
    return { promote: false, reason: `${won} but loses ${fmt(clean.regression)} macro-F1 on clean eval, more than the ${fmt(maxCleanRegression)} allowed`, ...base };
  }
  const cleanPart = clean ? `clean eval macro-F1 change ${fmt(-clean.regression)} (limit −${fmt(maxCleanRegression)})` : 'no clean eval data to check';
  return { promote: true, reason: `${won}; ${cleanPart}`, ...base };
}

function decideFirstChampion(candidate: HeldOutMetrics, rules: PromotionRules): PromotionDecision {
  const evidence = evalEvidence(candidate, rules.minEval);
  const base = { champion: null, evalSets: rules.evalSets, evidence, comparison: { productionMacroF1: null, cleanMacroF1: null, significance: null } };
  if (evidence.sufficient) return { promote: true, reason: `first champion of the model: evaluated on ${describeEvidence(evidence)}`, ...base };
  return {
    promote: false,
    reason: `no champion yet, and too little held-out data for this version's metrics to mean much: ${describeEvidence(evidence)}; an admin may still promote it by hand`,
    ...base,
  };
}

function testName(r: PairedRandomisationResult): string {
  const how = r.method === 'exact' ? `exact over all ${r.draws} swaps of the ${r.discordant} items answered differently` : `Monte Carlo, ${r.draws} random swaps of the ${r.discordant} items answered differently`;
  return `paired sign-flip randomisation test of the production macro-F1 difference (same items for both versions), one-sided, ${how}`;
}

function noiseNote(s: { alpha: number } & PairedEvidence): string {
  const r = s.randomisation;
  const b = s.bootstrap;
  const pct = Math.round(b.level * 100);
  const how = r.method === 'exact' ? `exact over the ${r.draws} swaps of the ${r.discordant} items the versions answer differently` : `Monte Carlo, ${r.discordant} items answered differently`;
  return `paired sign-flip p = ${pValue(r.pValue)} (${how}) vs alpha ${s.alpha}; bootstrap ${pct}% interval of the difference [${fmt(b.interval[0])}, ${fmt(b.interval[1])}]; exact McNemar p = ${pValue(s.mcnemar.pValue)} (${s.mcnemar.candidateOnly} items only the candidate gets right, ${s.mcnemar.championOnly} only the champion)`;
}

function fmt(x: number): string {
  return x.toFixed(4);
}

function pValue(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}
