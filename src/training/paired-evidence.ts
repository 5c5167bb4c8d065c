import { createHash } from 'node:crypto';
import type { Task } from '../models/model.js';
import { own } from '../util/own.js';
import { exactMcNemar, itemCorrectness, pairedBootstrapMacroF1, pairedRandomisationMacroF1 } from './metrics/paired-test.js';
import type { EvalSetRef, PairedEvidence } from './promotion.js';
import type { LabeledRows } from './training-data.js';
import type { Thresholds } from './tune-thresholds.js';

/** Names a held-out set by its items, so two records can be checked to have compared the same ones. */
export function evalSetRef(name: EvalSetRef['name'], rows: LabeledRows, asOf: string): EvalSetRef | null {
  if (rows.n === 0) return null;
  const digest = createHash('sha256').update([...rows.ids].sort().join('\n')).digest('hex').slice(0, 16);
  return { name, size: rows.n, digest, asOf };
}

/** Per row, the concept indexes a version answers: the top one (multiclass) or those at or above their thresholds (multilabel), as `evaluate` scores them. */
export function answerSets(task: Task, concepts: string[], probs: Float32Array, n: number, thresholds: Thresholds): number[][] {
  const k = concepts.length;
  const cut = concepts.map((c) => (thresholds.kind === 'multilabel' ? (own(thresholds.perConcept, c) ?? 0.5) : 0.5));
  return Array.from({ length: n }, (_, i) => {
    const row = probs.subarray(i * k, (i + 1) * k);
    if (task === 'multilabel') return [...row.keys()].filter((c) => row[c]! >= cut[c]!);
    let top = 0;
    for (let c = 1; c < k; c++) if (row[c]! > row[top]!) top = c;
    return [top];
  });
}

/** The true concept indexes of each row. */
export function truthSets(rows: LabeledRows, k: number): number[][] {
  return Array.from({ length: rows.n }, (_, i) => [...rows.y.subarray(i * k, (i + 1) * k).keys()].filter((c) => rows.y[i * k + c] === 1));
}

/** The paired evidence on one set: the sign-flip test and a bootstrap interval of the macro-F1 difference, and McNemar on correctness. */
export function pairedEvidence(
  truth: number[][],
  candidate: number[][],
  champion: number[][],
  concepts: number,
  opts: { resamples: number; seed: number },
): PairedEvidence | null {
  if (truth.length === 0) return null;
  const answers = { concepts, truth, candidate, champion };
  return {
    randomisation: pairedRandomisationMacroF1(answers, opts),
    bootstrap: pairedBootstrapMacroF1(answers, { ...opts, level: 0.9 }),
    mcnemar: exactMcNemar(itemCorrectness(truth, candidate), itemCorrectness(truth, champion)),
  };
}
