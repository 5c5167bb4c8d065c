import { describe, expect, it } from 'vitest';
import { centroid } from '../../src/drift/report/regions.js';

const v = (...xs: number[]) => Float32Array.from(xs);

describe('region centres', () => {
  it('when the metric is cosine, then the centroid is a unit vector along the members\' mean direction', () => {
    const unit = (x: number, y: number) => v(x / Math.hypot(x, y), y / Math.hypot(x, y));
    const points = [unit(1, 0.01), unit(1, 0.02), unit(0, 1)];
    const c = centroid(points, [0, 1], 'cosine');
    expect(Math.hypot(c[0]!, c[1]!)).toBeCloseTo(1, 6);
    expect(c[1]! / c[0]!).toBeCloseTo((0.01 / Math.hypot(1, 0.01) + 0.02 / Math.hypot(1, 0.02)) / (1 / Math.hypot(1, 0.01) + 1 / Math.hypot(1, 0.02)), 6);
  });

  it('when the metric is l2, then the centroid is the plain mean', () => {
    expect(Array.from(centroid([v(0, 0), v(2, 4), v(9, 9)], [0, 1], 'l2'))).toEqual([1, 2]);
  });
});
