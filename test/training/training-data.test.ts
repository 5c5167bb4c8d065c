import { describe, expect, it } from 'vitest';
import type { LabeledProductionItem } from '../../src/training/labeled-production.js';
import { assembleTrainingData, type SourceRecord } from '../../src/training/training-data.js';
import { rowWeights } from '../../src/training/weights.js';

function original(id: string, concept: string, split: 'train' | 'eval' = 'train'): SourceRecord {
  return { id, embedding: [1, 0], concepts: [concept], split };
}

function item(id: string, concepts: string[], newConcepts: string[] = [], split: 'train' | 'eval' = 'train'): LabeledProductionItem {
  return { id, embedding: [0, 1], concepts, newConcepts, split, labelIds: [`l-${id}`], labeledAt: '2026-01-01T00:00:00.000Z' };
}

const base = { task: 'multiclass' as const, dim: 2, taxonomy: ['a', 'b'], addedConcepts: [] as string[], validationShare: 0.25 };

describe('training data', () => {
  it('when originals and labeled items are assembled, then each lands in fit, validation, clean eval or production eval', () => {
    const originals = [...Array.from({ length: 40 }, (_, i) => original(`o${i}`, i % 2 ? 'a' : 'b')), original('oe', 'a', 'eval')];
    const production = [item('p1', ['b']), item('p2', ['a'], [], 'eval')];
    const d = assembleTrainingData({ ...base, originals, production });
    expect(d.concepts).toEqual(['a', 'b']);
    expect(d.fit.n + d.validation.n).toBe(41);
    expect(d.validation.n).toBeGreaterThan(0);
    expect(d.cleanEval.ids).toEqual(['oe']);
    expect(d.productionEval.ids).toEqual(['p2']);
    expect(d.production).toEqual({ train: ['p1'], eval: ['p2'], labelIds: ['l-p1', 'l-p2'], skipped: 0 });
    const rows = d.fit.ids.includes('p1') ? d.fit : d.validation;
    const row = rows.ids.indexOf('p1');
    expect(Array.from(rows.y.subarray(row * 2, row * 2 + 2))).toEqual([0, 1]);
    expect(rows.production[row]).toBe(1);
  });

  it('when a label proposes a concept that has not joined, then a multiclass item is skipped; once it joins, it trains on it', () => {
    const production = [item('p1', [], ['ipa']), item('p2', ['a'])];
    const before = assembleTrainingData({ ...base, originals: [], production });
    expect(before.production.skipped).toBe(1);
    const after = assembleTrainingData({ ...base, addedConcepts: ['ipa'], originals: [], production });
    expect(after.concepts).toEqual(['a', 'b', 'ipa']);
    expect(after.addedConcepts).toEqual(['ipa']);
    expect(after.production.skipped).toBe(0);
  });

  it('when a concept is rare, then its rows weigh more, and production rows weigh productionWeight times more', () => {
    const originals = [...Array.from({ length: 30 }, (_, i) => original(`a${i}`, 'a')), ...Array.from({ length: 10 }, (_, i) => original(`b${i}`, 'b'))];
    const d = assembleTrainingData({ ...base, validationShare: 0.01, originals, production: [item('p', ['a'])] });
    const w = rowWeights('multiclass', d.fit, 2, { classWeights: 'balanced', productionWeight: 3 });
    const aCount = d.fit.ids.filter((id) => id.startsWith('a') || id === 'p').length;
    const bCount = d.fit.n - aCount;
    expect(w.perConcept[0]).toBeCloseTo(d.fit.n / (2 * aCount), 6);
    expect(w.perConcept[1]).toBeCloseTo(d.fit.n / (2 * bCount), 6);
    const p = d.fit.ids.indexOf('p');
    expect(w.weights[p]).toBeCloseTo(3 * w.perConcept[0]!, 6);
    const none = rowWeights('multiclass', d.fit, 2, { classWeights: 'none', productionWeight: 1 });
    expect(new Set(none.weights)).toEqual(new Set([1]));
  });

  it('when a production item stands for near-duplicates, then each doubling of them adds one production weight', () => {
    const originals = Array.from({ length: 20 }, (_, i) => original(`a${i}`, 'a'));
    const production = [item('once', ['a']), { ...item('twice', ['a']), weight: 2 }, { ...item('eight', ['a']), weight: 8 }];
    const d = assembleTrainingData({ ...base, validationShare: 0.01, originals, production });
    const w = rowWeights('multiclass', d.fit, 2, { classWeights: 'none', productionWeight: 3 });
    expect(w.weights[d.fit.ids.indexOf('once')]).toBeCloseTo(3, 6);
    expect(w.weights[d.fit.ids.indexOf('twice')]).toBeCloseTo(6, 6);
    expect(w.weights[d.fit.ids.indexOf('eight')]).toBeCloseTo(12, 6);
    expect(w.weights[d.fit.ids.indexOf('a0')]).toBeCloseTo(1, 6);
  });
});
