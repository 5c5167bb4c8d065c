import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/models/model.js';
import { defaultSettings } from '../../src/models/settings.js';
import { summarizeAgreement } from '../../src/queue/agreement-summary.js';
import { agreementKey, answerOf, consensus, labelProblems, parseItemId } from '../../src/queue/label-rules.js';

function model(task: Model['task']): Model {
  return {
    id: 1,
    name: 'm',
    task,
    embeddingDim: 2,
    encoder: null,
    metric: 'cosine',
    concepts: [{ id: 'lager' }, { id: 'stout' }],
    settings: defaultSettings(),
    createdAt: '',
    updatedAt: '',
    splitKey: null,
  };
}

describe('label rules', () => {
  const fields = (task: Model['task'], label: Parameters<typeof labelProblems>[1]) => labelProblems(model(task), label, 0).map((p) => p.field);

  it('when a multiclass label names one concept or one new concept, then it is valid; none or two is not', () => {
    expect(fields('multiclass', { itemId: '1', labeler: 'a', concepts: ['lager'] })).toEqual([]);
    expect(fields('multiclass', { itemId: '1', labeler: 'a', concepts: [], newConcepts: ['cider'] })).toEqual([]);
    expect(fields('multiclass', { itemId: '1', labeler: 'a', concepts: [] })).toEqual(['concepts']);
    expect(fields('multiclass', { itemId: '1', labeler: 'a', concepts: ['lager'], newConcepts: ['cider'] })).toEqual(['concepts']);
  });

  it('when a multilabel label names no concept, then it means none apply and is valid', () => {
    expect(fields('multilabel', { itemId: 1, labeler: 'a', concepts: [] })).toEqual([]);
    expect(fields('multilabel', { itemId: 1, labeler: 'a', concepts: ['lager', 'stout'], newConcepts: ['cider'] })).toEqual([]);
  });

  it('when a multilabel label names a concept twice, then it is refused (["foam","foam","bar"] is not a set)', () => {
    expect(fields('multilabel', { itemId: 1, labeler: 'a', concepts: ['lager', 'lager', 'stout'] })).toEqual(['concepts']);
    expect(fields('multilabel', { itemId: 1, labeler: 'a', concepts: ['lager'], newConcepts: ['cider', 'cider'] })).toEqual(['newConcepts']);
  });

  it('when a label mixes skip or out-of-scope with concepts, or names unknown ones, then it is refused', () => {
    expect(fields('multiclass', { itemId: '1', labeler: 'a', concepts: ['lager'], skip: true })).toEqual(['concepts']);
    expect(fields('multiclass', { itemId: '1', labeler: 'a', concepts: [], skip: true, outOfScope: true })).toEqual(['skip']);
    expect(fields('multiclass', { itemId: '1', labeler: 'a', concepts: ['porter'] })).toContain('concepts');
    expect(fields('multiclass', { itemId: '1', labeler: 'a', concepts: [], newConcepts: ['stout'] })).toContain('newConcepts');
    expect(fields('multiclass', { itemId: '0', labeler: 'a', concepts: ['lager'] })).toEqual(['itemId']);
  });

  it('when item ids come as digits or integers, then they parse; anything else does not', () => {
    expect([parseItemId('42'), parseItemId(42), parseItemId('042'), parseItemId('4.2'), parseItemId(-1)]).toEqual([42, 42, undefined, undefined, undefined]);
  });

  it('when answers name the same concepts in another order, then they agree; new concepts and out-of-scope are their own categories', () => {
    const a = answerOf({ itemId: 1, labeler: 'a', concepts: ['stout', 'lager'] });
    const b = answerOf({ itemId: 1, labeler: 'b', concepts: ['lager', 'stout', 'lager'] });
    expect(agreementKey(a)).toBe(agreementKey(b));
    expect(agreementKey(answerOf({ itemId: 1, labeler: 'c', concepts: [], newConcepts: ['lager'] }))).not.toBe(agreementKey(answerOf({ itemId: 1, labeler: 'c', concepts: ['lager'] })));
    expect(agreementKey(answerOf({ itemId: 1, labeler: 'c', concepts: [], outOfScope: true }))).toBe('#out_of_scope');
  });

  it('when more than half the labels agree, then that answer is the consensus; a split or a tie has none', () => {
    const ans = (concepts: string[]) => ({ kind: 'concepts' as const, concepts, newConcepts: [] });
    expect(consensus([ans(['lager'])])?.concepts).toEqual(['lager']);
    expect(consensus([ans(['stout']), ans(['lager']), ans(['lager'])])?.concepts).toEqual(['lager']);
    expect(consensus([ans(['stout']), ans(['lager'])])).toBeUndefined();
    expect(consensus([{ kind: 'out_of_scope' }, ans(['lager'])])).toBeUndefined();
    expect(consensus([{ kind: 'out_of_scope' }])).toBeUndefined();
  });

  it('when exactly two labelers share items, then Cohen is used; with a third sharing, Fleiss', () => {
    const shared = (itemId: number, labeler: string, concept: string) => ({ itemId, labeler, answer: answerOf({ itemId, labeler, concepts: [concept] }) });
    const two = [shared(1, 'a', 'x'), shared(1, 'b', 'x'), shared(2, 'a', 'y'), shared(2, 'b', 'x'), shared(3, 'a', 'q')];
    expect(summarizeAgreement(two)).toMatchObject({ method: 'cohen', items: 2, labelers: 2 });
    const three = [...two, shared(3, 'c', 'q')];
    expect(summarizeAgreement(three)).toMatchObject({ method: 'fleiss', items: 3, labelers: 3 });
    expect(summarizeAgreement([shared(1, 'a', 'x')])).toBeUndefined();
  });
});
