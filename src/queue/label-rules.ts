import type { RecordProblem } from '../errors.js';
import type { Model } from '../models/model.js';
import { repeatedConceptProblems } from '../models/record-checks.js';

/** One label as a labeler submits it. */
export interface LabelInput {
  itemId: string | number;
  labeler: string;
  concepts: string[];
  newConcepts?: string[] | undefined;
  outOfScope?: boolean | undefined;
  skip?: boolean | undefined;
  bulk?: boolean | undefined;
}

/** What a label says, once its flags are resolved. */
export type LabelAnswer =
  | { kind: 'skip' }
  | { kind: 'out_of_scope' }
  /** Concepts from the taxonomy plus proposed new ones (open-set); empty for multilabel means "none apply". */
  | { kind: 'concepts'; concepts: string[]; newConcepts: string[] };

export function answerOf(label: LabelInput): LabelAnswer {
  if (label.skip) return { kind: 'skip' };
  if (label.outOfScope) return { kind: 'out_of_scope' };
  return { kind: 'concepts', concepts: unique(label.concepts), newConcepts: unique(label.newConcepts ?? []) };
}

/** Everything wrong with one label for this model, or nothing. */
export function labelProblems(model: Model, label: LabelInput, index: number): RecordProblem[] {
  const problems: RecordProblem[] = [];
  const add = (field: string, message: string) => problems.push({ index, field, message });
  const newConcepts = label.newConcepts ?? [];
  if (parseItemId(label.itemId) === undefined) add('itemId', 'not an item id');
  if (label.skip && label.outOfScope) add('skip', 'a label cannot both skip and mark out of scope');
  if (label.skip || label.outOfScope) {
    if (label.concepts.length > 0 || newConcepts.length > 0) {
      add('concepts', `${label.skip ? 'a skip' : 'an out-of-scope label'} names no concepts`);
    }
    return problems;
  }
  problems.push(...repeatedConceptProblems(label.concepts, index, 'concepts'), ...repeatedConceptProblems(newConcepts, index, 'newConcepts'));
  const known = new Set(model.concepts.map((c) => c.id));
  const unknown = label.concepts.filter((c) => !known.has(c));
  if (unknown.length > 0) add('concepts', `unknown concepts: ${unknown.join(', ')}; propose them under newConcepts`);
  const existing = newConcepts.filter((c) => known.has(c));
  if (existing.length > 0) add('newConcepts', `already in the taxonomy: ${existing.join(', ')}; use concepts`);
  const chosen = unique(label.concepts).length + unique(newConcepts).length;
  if (model.task === 'multiclass' && chosen !== 1) {
    add('concepts', `a multiclass label names exactly one concept (or one new concept); this one names ${chosen}`);
  }
  return problems;
}

/** Item ids are positive integers, sent as a number or a string of digits. */
export function parseItemId(id: string | number): number | undefined {
  const n = typeof id === 'number' ? id : /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** One category per answer, for agreement statistics: order-free, new concepts kept apart. */
export function agreementKey(answer: LabelAnswer): string {
  if (answer.kind !== 'concepts') return `#${answer.kind}`;
  return JSON.stringify([[...answer.concepts].sort(), [...answer.newConcepts].sort()]);
}

/** The concept answer more than half of the labels gave, or undefined when no answer has a majority. */
export function consensus(answers: LabelAnswer[]): { concepts: string[]; newConcepts: string[] } | undefined {
  const counts = new Map<string, { n: number; answer: { concepts: string[]; newConcepts: string[] } }>();
  for (const a of answers) {
    if (a.kind !== 'concepts') continue;
    const key = agreementKey(a);
    const entry = counts.get(key);
    if (entry) entry.n += 1;
    else counts.set(key, { n: 1, answer: { concepts: a.concepts, newConcepts: a.newConcepts } });
  }
  for (const entry of counts.values()) if (entry.n * 2 > answers.length) return entry.answer;
  return undefined;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The answer a stored label row holds (skips are never stored as labels). */
export function storedAnswer(row: { out_of_scope: number; concepts_json: string; new_concepts_json: string }): LabelAnswer {
  if (row.out_of_scope === 1) return { kind: 'out_of_scope' };
  return { kind: 'concepts', concepts: JSON.parse(row.concepts_json) as string[], newConcepts: JSON.parse(row.new_concepts_json) as string[] };
}

/**
 * True when at least one label of the item was given to the item itself: under a lease its
 * labeler held (claimed), and not as a bulk confirmation. Whether a label is bulk is the client's
 * word; whether it was claimed is the server's. Labels of pending items nobody claimed are how
 * the page's grid of similar items labels them, so a client that leaves out `bulk: true` still
 * does not put its choice of items into the production eval split.
 */
export function reviewed(labels: { bulk: number; claimed: number }[]): boolean {
  return labels.some((l) => l.bulk === 0 && l.claimed === 1);
}

