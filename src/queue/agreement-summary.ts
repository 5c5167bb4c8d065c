import { cohensKappa, fleissKappa } from './agreement.js';
import type { LabelAnswer } from './label-rules.js';
import { agreementKey } from './label-rules.js';

/** Chance-corrected agreement over items labeled more than once. */
export interface AgreementSummary {
  /** Cohen's kappa when exactly two labelers shared items, Fleiss' kappa when more did. */
  method: 'cohen' | 'fleiss';
  kappa: number;
  /** Items labeled more than once. */
  items: number;
  labelers: number;
}

/** One submitted answer of a shared item. */
export interface SharedAnswer {
  itemId: number;
  labeler: string;
  answer: LabelAnswer;
}

/** Kappa over the shared items, or undefined when no item has two labels. */
export function summarizeAgreement(answers: SharedAnswer[]): AgreementSummary | undefined {
  const byItem = new Map<number, SharedAnswer[]>();
  for (const a of answers) {
    const list = byItem.get(a.itemId);
    if (list) list.push(a);
    else byItem.set(a.itemId, [a]);
  }
  const shared = [...byItem.values()].filter((list) => list.length >= 2);
  if (shared.length === 0) return undefined;
  const labelers = [...new Set(shared.flat().map((a) => a.labeler))].sort();
  if (labelers.length === 2) {
    // Rater order matters for Cohen's marginals: the alphabetically first labeler is rater one.
    const pairs = shared.map((list) => {
      const first = list.find((a) => a.labeler === labelers[0])!;
      const second = list.find((a) => a.labeler === labelers[1])!;
      return [agreementKey(first.answer), agreementKey(second.answer)] as const;
    });
    const kappa = cohensKappa(pairs);
    return kappa === undefined ? undefined : { method: 'cohen', kappa, items: shared.length, labelers: 2 };
  }
  const kappa = fleissKappa(shared.map((list) => list.map((a) => agreementKey(a.answer))));
  return kappa === undefined ? undefined : { method: 'fleiss', kappa, items: shared.length, labelers: labelers.length };
}
