import type { RecordProblem } from '../errors.js';
import type { Concept, Model } from './model.js';
import { isFloat32Safe } from '../util/vectors.js';
import type { InputOrigins } from '../http/input-origins.js';

/** Whether every value is 0: stops at the first that is not (a loop, not a callback per value). */
function isZero(embedding: number[]): boolean {
  for (let i = 0; i < embedding.length; i++) if (embedding[i] !== 0) return false;
  return true;
}

/** Problems with an embedding for this model's space, or none. */
export function embeddingProblems(model: Model, embedding: number[], index: number): RecordProblem[] {
  if (embedding.length !== model.embeddingDim) {
    return [{ index, field: 'embedding', message: `expected ${model.embeddingDim} dimensions, got ${embedding.length}` }];
  }
  // The schema refuses unsafe values already; this guards other callers.
  if (!isFloat32Safe(embedding)) return [{ index, field: 'embedding', message: 'values and their squared norm must be finite in float32' }];
  if (model.metric === 'cosine' && isZero(embedding)) {
    return [{ index, field: 'embedding', message: 'a zero vector has no direction under the cosine metric' }];
  }
  return [];
}

/** A problem for each record whose id already appeared earlier in the same batch. */
export function duplicateIdProblems(records: { id: string }[]): RecordProblem[] {
  const first = new Map<string, number>();
  const problems: RecordProblem[] = [];
  records.forEach((r, index) => {
    const at = first.get(r.id);
    if (at === undefined) first.set(r.id, index);
    else problems.push({ index, field: 'id', message: `id '${r.id}' also appears at index ${at} of this batch` });
  });
  return problems;
}

/** Problems with concept ids that are not in the taxonomy. */
export function unknownConceptProblems(model: Model, concepts: string[], index: number, field: string): RecordProblem[] {
  const known = new Set(model.concepts.map((c) => c.id));
  const unknown = concepts.filter((c) => !known.has(c));
  return unknown.length === 0 ? [] : [{ index, field, message: `unknown concepts: ${unknown.join(', ')}` }];
}

/** Problems with an encoder name that differs from the model's. */
export function encoderProblems(model: Model, encoder: string | undefined, index: number): RecordProblem[] {
  if (encoder === undefined || model.encoder === null || encoder === model.encoder) return [];
  return [{ index, field: 'encoder', message: `model '${model.name}' uses encoder '${model.encoder}', not '${encoder}'` }];
}

/** A problem when a list of concepts names one twice: labels and examples hold sets, and a repeat is a client bug, not a stronger vote. */
export function repeatedConceptProblems(concepts: string[], index: number, field: string): RecordProblem[] {
  const repeated = [...new Set(concepts.filter((c, i) => concepts.indexOf(c) !== i))];
  return repeated.length === 0 ? [] : [{ index, field, message: `concepts named more than once: ${repeated.join(', ')}` }];
}

/**
 * Problems with the app's scores for one record: every concept of the app's taxonomy scored
 * (concepts that joined through the open set may be unknown to the app yet), none outside it.
 */
export function scoreProblems(model: Model, scores: Record<string, number>, index: number): RecordProblem[] {
  const { ids, scored } = taxonomyOf(model.concepts);
  const missing = scored.filter((id) => !Object.hasOwn(scores, id));
  const unknown = Object.keys(scores).filter((c) => !ids.has(c));
  const problems: RecordProblem[] = [];
  if (missing.length > 0) problems.push({ index, field: 'scores', message: `missing scores for: ${missing.join(', ')}` });
  if (unknown.length > 0) problems.push({ index, field: 'scores', message: `concepts not in the taxonomy: ${unknown.join(', ')}` });
  return problems;
}

/** The highest of the app's scores: its top-1 confidence, multiclass or multilabel. */
export function topScore(scores: Record<string, number>): number {
  return Object.values(scores).reduce((m, s) => Math.max(m, s), 0);
}

/** A taxonomy's concept ids, and those an app must score; read once per concept list, not once per record. */
const taxonomies = new WeakMap<readonly Concept[], { ids: Set<string>; scored: string[] }>();

function taxonomyOf(concepts: readonly Concept[]): { ids: Set<string>; scored: string[] } {
  let taxonomy = taxonomies.get(concepts);
  if (!taxonomy) {
    taxonomy = { ids: new Set(concepts.map((c) => c.id)), scored: concepts.filter((c) => c.origin !== 'open-set').map((c) => c.id) };
    taxonomies.set(concepts, taxonomy);
  }
  return taxonomy;
}

/** A problem when the record's `input.url` is from an origin the pages may not load (DRIFTLOOP_INPUT_ORIGINS). */
export function inputUrlProblems(origins: InputOrigins, input: { url?: string | undefined } | undefined, index: number): RecordProblem[] {
  const message = origins.problem(input?.url);
  return message ? [{ index, field: 'input.url', message }] : [];
}
