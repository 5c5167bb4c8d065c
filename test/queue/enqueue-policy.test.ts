import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/models/settings.js';
import { enqueueReasons, itemPriority } from '../../src/queue/enqueue-policy.js';
import type { PredictionScore } from '../../src/scoring/scorer.js';

const queue = defaultSettings().queue;

function score(over: { isOod?: boolean; uncertainty?: number; disagreement?: boolean }): PredictionScore {
  return {
    ood: { distance: 0.1, score: 0.5, isOod: over.isOod ?? false },
    uncertainty: over.uncertainty ?? 0.1,
    leastConfidence: 0,
    entropy: 0,
    predicted: 'a',
    predictedSet: ['a'],
    topScore: 0.9,
    knn: { concept: 'a', share: 1 },
    disagreement: over.disagreement ?? false,
    priority: 0.3,
    neighbors: [],
  };
}

describe('enqueue policy', () => {
  it('when a prediction is OOD, uncertain at the threshold, or disagrees, then each gives its reason', () => {
    expect(enqueueReasons(score({}), queue)).toEqual([]);
    expect(enqueueReasons(score({ isOod: true }), queue)).toEqual(['ood']);
    expect(enqueueReasons(score({ uncertainty: queue.uncertaintyThreshold }), queue)).toEqual(['uncertain']);
    expect(enqueueReasons(score({ disagreement: true, isOod: true, uncertainty: 1 }), queue)).toEqual(['ood', 'uncertain', 'disagreement']);
  });

  it('when an item recurs, then its priority grows by recurrenceBoost per doubling, plus any drift boost', () => {
    expect(itemPriority({ base: 0.4, weight: 1, driftBoost: 0 }, queue)).toBe(0.4);
    expect(itemPriority({ base: 0.4, weight: 8, driftBoost: 0 }, queue)).toBeCloseTo(0.4 + 3 * queue.recurrenceBoost, 12);
    expect(itemPriority({ base: 0.4, weight: 2, driftBoost: 1 }, queue)).toBeCloseTo(1.4 + queue.recurrenceBoost, 12);
  });
});
