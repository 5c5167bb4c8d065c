import { describe, expect, it } from 'vitest';
import type { LabeledProductionItem } from '../../src/training/labeled-production.js';
import { assembleTrainingData } from '../../src/training/training-data.js';
import { splitForId } from '../../src/util/hash-split.js';

/**
 * The validation slice of the train split decides early stopping and the thresholds a version is
 * tuned to, and (multilabel) its production-eval answers and so its promotion are read at those
 * thresholds. An app chooses its prediction ids: were the slice a public hash of the id, it could
 * choose which of its inputs tune the thresholds, as it could choose the eval split before the
 * model's split key (stop 45). Found by the security review of 2026-12-04.
 */
describe('the validation slice of labeled production items', () => {
  const KEY = 'a'.repeat(64);
  const share = 0.1;

  function item(id: string): LabeledProductionItem {
    return { id, embedding: [0, 1], concepts: ['a'], newConcepts: [], split: 'train', labelIds: [`l-${id}`], labeledAt: '2026-01-01T00:00:00.000Z' };
  }

  it('when an app picks ids whose public hash falls in validation, then they land there no more often than any ids (under the model key)', () => {
    // What the app can compute without the key: ids the plain hash puts in the validation slice.
    const chosen: string[] = [];
    for (let i = 0; chosen.length < 200; i++) if (splitForId(`validation:p-${i}`, share) === 'eval') chosen.push(`p-${i}`);
    const data = assembleTrainingData({
      task: 'multiclass',
      dim: 2,
      taxonomy: ['a', 'b'],
      addedConcepts: [],
      originals: [],
      production: chosen.map(item),
      validationShare: share,
      splitKey: KEY,
    });
    expect(data.fit.n + data.validation.n).toBe(200);
    // About 10% (20 ± 4 at one sd) under the key; all 200 under the public hash.
    expect(data.validation.n).toBeLessThan(50);
  });

  it('when the key is the same, then the slice is the same from run to run', () => {
    const production = Array.from({ length: 100 }, (_, i) => item(`q-${i}`));
    const input = { task: 'multiclass' as const, dim: 2, taxonomy: ['a', 'b'], addedConcepts: [], originals: [], production, validationShare: share, splitKey: KEY };
    expect(assembleTrainingData(input).validation.ids).toEqual(assembleTrainingData(input).validation.ids);
  });
});
