import type { EvalMetrics } from './evaluate.js';

/** The held-out data a version's metrics rest on, against the minimum a first champion needs. */
export interface EvalEvidence {
  /** Held-out examples, clean and production eval together. */
  examples: number;
  clean: number;
  production: number;
  /** Held-out examples of each concept (multilabel: positives), both sets together. */
  perConcept: Record<string, number>;
  /** `retrain.minEvalExamples` and `retrain.minEvalPerConcept` when the version was trained. */
  required: { examples: number; perConcept: number };
  sufficient: boolean;
}

/**
 * Counts the held-out examples behind `clean` and `production` and checks them against
 * `required`. The concepts are the head's: an evaluation lists every one, with support 0 when
 * the set has none.
 */
export function evalEvidence(held: { clean: EvalMetrics | undefined; production: EvalMetrics | undefined }, required: EvalEvidence['required']): EvalEvidence {
  const concepts = [...new Set([...Object.keys(held.clean?.perConcept ?? {}), ...Object.keys(held.production?.perConcept ?? {})])];
  const support = (m: EvalMetrics | undefined, c: string) => (m && Object.hasOwn(m.perConcept, c) ? m.perConcept[c]!.support : 0);
  const clean = held.clean?.count ?? 0;
  const production = held.production?.count ?? 0;
  const perConcept = Object.fromEntries(concepts.map((c) => [c, support(held.clean, c) + support(held.production, c)]));
  const sufficient = clean + production >= required.examples && concepts.every((c) => perConcept[c]! >= required.perConcept);
  return { examples: clean + production, clean, production, perConcept, required, sufficient };
}

/** The evidence in words, for a decision's reason. */
export function describeEvidence(e: EvalEvidence): string {
  const counts = Object.values(e.perConcept);
  const fewest = counts.length === 0 ? 0 : Math.min(...counts);
  const had = `${e.examples} held-out eval example${e.examples === 1 ? '' : 's'} (${e.clean} clean, ${e.production} production), fewest per concept ${fewest}`;
  const asks = `retrain.minEvalExamples asks ${e.required.examples} and retrain.minEvalPerConcept ${e.required.perConcept}`;
  if (e.sufficient) return `${had}; ${asks}`;
  const short = Object.entries(e.perConcept).filter(([, n]) => n < e.required.perConcept);
  const listed = short.slice(0, 5).map(([c, n]) => `${c} (${n})`).join(', ');
  const concepts = short.length === 0 ? '' : `; below the per-concept minimum: ${listed}${short.length > 5 ? ` and ${short.length - 5} more` : ''}`;
  return `${had}, where ${asks}${concepts}`;
}
