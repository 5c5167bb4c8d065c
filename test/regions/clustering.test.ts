import { describe, expect, it } from 'vitest';
import { partition } from '../../src/regions/kmeans.js';
import { carryIds } from '../../src/regions/region-ids.js';
import { regionAccuracy, regionScore, estimatedCorrect } from '../../src/regions/region-accuracy.js';
import { exactKnn } from '../../src/regions/projection.js';
import { fitReduction } from '../../src/regions/reduce.js';
import { mulberry32 } from '../../src/util/random.js';
import { distanceMatrix, meanSilhouette } from '../../src/regions/silhouette.js';
import { ClusteredData } from '../support/clustered-data.js';

describe('meanSilhouette', () => {
  it('when two tight pairs sit far apart, then it matches the hand-computed Rousseeuw value', () => {
    // Points 0, 1 | 10, 11: s = (10.5 − 1)/10.5 for the outer points and (9.5 − 1)/9.5 for the inner ones.
    const dist = distanceMatrix([[0], [1], [10], [11]]);
    const expected = (2 * (9.5 / 10.5) + 2 * (8.5 / 9.5)) / 4;
    expect(meanSilhouette(dist, [0, 0, 1, 1], 2)).toBeCloseTo(expected, 12);
  });

  it('when a point is alone in its cluster, then it scores 0, as sklearn counts it', () => {
    const dist = distanceMatrix([[0], [1], [10]]);
    // Points 0 and 1: a = 1, b = 10 and 9.
    const expected = ((10 - 1) / 10 + (9 - 1) / 9 + 0) / 3;
    expect(meanSilhouette(dist, [0, 0, 1], 2)).toBeCloseTo(expected, 12);
  });

  it('when everything is one cluster, then it is undefined', () => {
    expect(meanSilhouette(distanceMatrix([[0], [1]]), [0, 0], 2)).toBeNaN();
  });
});

describe('partition', () => {
  const data = new ClusteredData({ dim: 8, clusters: 4, spread: 0.1, seed: 5 });
  const points = Array.from({ length: 200 }, (_, i) => data.point(i % 4));

  it('when the data has four well-separated clusters, then the silhouette picks k = 4 and groups each cluster whole', () => {
    const p = partition(points, { maxK: 8, seed: 1 });
    expect(p.k).toBe(4);
    expect(p.tried.map((t) => t.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    for (let c = 0; c < 4; c++) {
      const labels = new Set(points.map((_, i) => i).filter((i) => i % 4 === c).map((i) => p.labels[i]));
      expect(labels.size).toBe(1);
    }
  });

  it('when run twice with the same seed, then it gives the same partition', () => {
    expect(Array.from(partition(points, { maxK: 6, seed: 3 }).labels)).toEqual(Array.from(partition(points, { maxK: 6, seed: 3 }).labels));
  });

  it('when there are too few points for two regions, then everything is one region', () => {
    const p = partition(points.slice(0, 6), { maxK: 8, seed: 1 });
    expect(p.k).toBe(1);
    expect(new Set(p.labels).size).toBe(1);
  });
});

describe('fitReduction', () => {
  it('when the data varies along one direction only, then the first component carries all of it', () => {
    const dir = [3, 4, 0, 0, 0, 0].map((v) => v / 5);
    const sample = Array.from({ length: 50 }, (_, i) => dir.map((v) => v * (i - 25)));
    const r = fitReduction(sample, 2);
    const [a, b] = r.apply([dir.map((v) => v * 10), dir.map((v) => v * -10)]);
    // Projections of ±10 along the direction, around the sample mean (−0.5 along it).
    expect(Math.abs(a![0]! - b![0]!)).toBeCloseTo(20, 6);
    expect(Math.abs(a![1]!)).toBeLessThan(1e-6);
  });

  it('when the data spans five of seven dimensions, then five components keep every centred length (four summed at a time, one alone)', () => {
    const rand = mulberry32(11);
    const axes = Array.from({ length: 5 }, () => Array.from({ length: 7 }, () => rand() - 0.5));
    const inSpan = () => {
      const w = axes.map(() => rand() * 4 - 2);
      return Array.from({ length: 7 }, (_, j) => axes.reduce((sum, axis, a) => sum + w[a]! * axis[j]!, 0) + 1);
    };
    const sample = Array.from({ length: 40 }, inSpan);
    const mean = Array.from({ length: 7 }, (_, j) => sample.reduce((sum, p) => sum + p[j]!, 0) / sample.length);
    const r = fitReduction(sample, 5);
    expect(r.dims).toBe(5);
    for (const p of [inSpan(), inSpan(), sample[3]!]) {
      const [q] = r.apply([p]);
      const centred = p.reduce((sum, v, j) => sum + (v - mean[j]!) ** 2, 0);
      expect(q!.reduce((sum, v) => sum + v * v, 0)).toBeCloseTo(centred, 9);
    }
  });
});

describe('exactKnn (the map\'s neighbours)', () => {
  it('when many distances tie, then it keeps the k a full sort keeps, in its order: nearer first, the point itself, then the lower index', () => {
    const rand = mulberry32(5);
    const points = Array.from({ length: 60 }, () => [Math.floor(rand() * 3), Math.floor(rand() * 3)]);
    const dist = distanceMatrix(points);
    const { indices, distances } = exactKnn(points, 15);
    points.forEach((_, i) => {
      const row = dist.subarray(i * 60, (i + 1) * 60);
      const sorted = Array.from({ length: 60 }, (_, j) => j).sort((a, b) => row[a]! - row[b]! || (a === i ? -1 : b === i ? 1 : a - b)).slice(0, 15);
      expect(indices[i]).toEqual(sorted);
      expect(distances[i]).toEqual(sorted.map((j) => row[j]!));
      expect(indices[i]![0]).toBe(i);
    });
  });
});

describe('carryIds', () => {
  it('when the centres barely move, then every region keeps its id; a new centre gets a fresh one', () => {
    const previous = [
      { id: 4, centroid: [0, 0] },
      { id: 9, centroid: [10, 0] },
    ];
    expect(carryIds(previous, [[10.2, 0], [0.1, 0], [0, 50]], 9)).toEqual([9, 4, 10]);
  });

  it('when there is no previous clustering, then ids start above the last id used', () => {
    expect(carryIds([], [[0], [1]], 3)).toEqual([4, 5]);
  });
});

describe('region accuracy and ranking', () => {
  it('when the k-NN vote disagrees, then the label-free estimate is discounted by its share', () => {
    expect(estimatedCorrect({ topScore: 0.9, disagreement: 0, knnShare: 0.8 })).toBeCloseTo(0.9);
    expect(estimatedCorrect({ topScore: 0.9, disagreement: 1, knnShare: 0.8 })).toBeCloseTo(0.18);
  });

  it('when labels arrive, then the estimate moves toward the labeled accuracy', () => {
    expect(regionAccuracy([0.8, 0.8], { correct: 0, total: 0 })).toBeCloseTo(0.8);
    expect(regionAccuracy([0.8, 0.8], { correct: 0, total: 10 })).toBeCloseTo(0.4);
    expect(regionAccuracy([0.8, 0.8], { correct: 0, total: 1000 })).toBeLessThan(0.01);
  });

  it('when a region has no training data and a poor estimate, then it outranks a well-covered accurate one', () => {
    const novel = regionScore({ size: 100, windowCount: 1000, trainingCount: 0, trainingTotal: 500, estimatedAccuracy: 0.4 });
    const covered = regionScore({ size: 300, windowCount: 1000, trainingCount: 150, trainingTotal: 500, estimatedAccuracy: 0.9 });
    expect(novel).toBeGreaterThan(covered * 10);
  });
});
