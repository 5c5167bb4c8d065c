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
    const production = [item('p', ['a']), item('q', ['b']), item('r', ['b'])];
    const d = assembleTrainingData({ ...base, validationShare: 0.01, originals, production });
    const w = rowWeights('multiclass', d.fit, 2, { classWeights: 'balanced', productionWeight: 3 });
    const fitOriginals = d.fit.ids.filter((id) => id.startsWith('a') || id.startsWith('b'));
    const aCount = fitOriginals.filter((id) => id.startsWith('a')).length;
    const bCount = fitOriginals.length - aCount;
    // Originals are balanced among themselves: sklearn's n / (concepts × count).
    expect(w.weights[d.fit.ids.indexOf('a0')]).toBeCloseTo(fitOriginals.length / (2 * aCount), 6);
    expect(w.weights[d.fit.ids.indexOf('b0')]).toBeCloseTo(fitOriginals.length / (2 * bCount), 6);
    // Production rows among themselves (3 rows: 1 of a, 2 of b), times productionWeight.
    expect(w.weights[d.fit.ids.indexOf('p')]).toBeCloseTo(3 * (3 / (2 * 1)), 6);
    expect(w.weights[d.fit.ids.indexOf('q')]).toBeCloseTo(3 * (3 / (2 * 2)), 6);
    // The lineage's class weight is the mean over the concept's rows of both sources.
    expect(w.perConcept[0]).toBeCloseTo((aCount * (fitOriginals.length / (2 * aCount)) + 1.5) / (aCount + 1), 6);
    const none = rowWeights('multiclass', d.fit, 2, { classWeights: 'none', productionWeight: 1 });
    expect(new Set(none.weights)).toEqual(new Set([1]));
  });

  it('when a concept only production labels have joins, then its few rows weigh like any production concept, not like a whole class', () => {
    const originals = [...Array.from({ length: 40 }, (_, i) => original(`a${i}`, 'a')), ...Array.from({ length: 40 }, (_, i) => original(`b${i}`, 'b'))];
    const production = [...Array.from({ length: 6 }, (_, i) => item(`pa${i}`, ['a'])), item('n1', [], ['ipa']), item('n2', [], ['ipa'])];
    const d = assembleTrainingData({ ...base, validationShare: 0.01, addedConcepts: ['ipa'], originals, production });
    const w = rowWeights('multiclass', d.fit, 3, { classWeights: 'balanced', productionWeight: 1 });
    const total = (k: number) => d.fit.ids.reduce((s, _, i) => s + (d.fit.y[i * 3 + k] === 1 ? w.weights[i]! : 0), 0);
    const prodTotal = (k: number) => d.fit.ids.reduce((s, _, i) => s + (d.fit.production[i] === 1 && d.fit.y[i * 3 + k] === 1 ? w.weights[i]! : 0), 0);
    // Among production rows, each concept present carries the same total weight ...
    expect(prodTotal(2)).toBeCloseTo(prodTotal(0), 6);
    // ... so the new concept carries far less in all than a concept the originals have too
    // (balancing across all rows would have given it as much as each of them).
    expect(total(2)).toBeLessThan(total(1) / 4);
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
