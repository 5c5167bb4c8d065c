import { describe, expect, it } from 'vitest';
import { knnVote } from '../../src/scoring/knn-vote.js';
import { priorityOf } from '../../src/scoring/priority.js';
import { multiclassUncertainty, multilabelUncertainty } from '../../src/scoring/uncertainty.js';

describe('multiclass uncertainty', () => {
  it('when scores are [0.7, 0.2, 0.1], then margin, least confidence and normalised entropy match hand values', () => {
    const u = multiclassUncertainty([0.7, 0.2, 0.1]);
    expect(u.uncertainty).toBeCloseTo(1 - (0.7 - 0.2), 12);
    expect(u.leastConfidence).toBeCloseTo(0.3, 12);
    const h = -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1)) / Math.log(3);
    expect(u.entropy).toBeCloseTo(h, 12);
  });

  it('when the model is certain, then every measure is 0; when uniform, the margin and entropy are 1', () => {
    expect(multiclassUncertainty([1, 0, 0])).toEqual({ uncertainty: 0, leastConfidence: 0, entropy: 0 });
    const flat = multiclassUncertainty([0.25, 0.25, 0.25, 0.25]);
    expect(flat.uncertainty).toBe(1);
    expect(flat.entropy).toBeCloseTo(1, 12);
    expect(flat.leastConfidence).toBeCloseTo(0.75, 12);
  });
});

describe('multilabel uncertainty', () => {
  it('when one concept sits on its threshold, then uncertainty is 1', () => {
    expect(multilabelUncertainty([0.95, 0.3, 0.02], [0.5, 0.3, 0.5]).uncertainty).toBeCloseTo(1, 12);
  });

  it('when scores are far from thresholds, then closeness is measured relative to the room on that side', () => {
    // concept 0: 0.9 vs t=0.5 → 1 − 0.4/0.5 = 0.2; concept 1: 0.1 vs t=0.2 → 1 − 0.1/0.2 = 0.5
    expect(multilabelUncertainty([0.9, 0.1], [0.5, 0.2]).uncertainty).toBeCloseTo(0.5, 12);
  });
});

describe('k-NN vote and priority', () => {
  const n = (concepts: string[], distance: number) => ({ seq: 0, id: 'x', concepts, distance });

  it('when most neighbours share a concept, then it wins with its share', () => {
    expect(knnVote([n(['a'], 0.1), n(['b'], 0.2), n(['b'], 0.3), n(['b'], 0.4)])).toEqual({ concept: 'b', share: 0.75 });
  });

  it('when votes tie, then the nearer neighbour’s concept wins', () => {
    expect(knnVote([n(['a'], 0.1), n(['b'], 0.2)]).concept).toBe('a');
    expect(knnVote([])).toEqual({ concept: null, share: 0 });
  });

  it('when weights are given, then priority is their weighted mean', () => {
    expect(priorityOf({ oodScore: 1, uncertainty: 0.5, disagreement: 0 }, { ood: 2, uncertainty: 1, disagreement: 1 })).toBeCloseTo(2.5 / 4, 12);
    expect(priorityOf({ oodScore: 1, uncertainty: 1, disagreement: 1 }, { ood: 0, uncertainty: 0, disagreement: 0 })).toBe(0);
  });
});
