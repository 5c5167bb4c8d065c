import { describe, expect, it } from 'vitest';
import { centroid, linkRegions, representatives } from '../../src/drift/report/regions.js';

const v = (...xs: number[]) => Float32Array.from(xs);

describe('new-region clustering', () => {
  it('when points form two separated groups and a stray point, then single linkage finds them, largest first', () => {
    const points = [v(0, 0), v(0.5, 0), v(1, 0), v(10, 10), v(10.4, 10), v(50, 50), v(1.5, 0.2)];
    const groups = linkRegions(points, 0.6, 'l2');
    expect(groups).toEqual([[0, 1, 2, 6], [3, 4], [5]]);
  });

  it('when the metric is cosine, then direction decides and the centroid is a unit vector', () => {
    const unit = (x: number, y: number) => v(x / Math.hypot(x, y), y / Math.hypot(x, y));
    const points = [unit(1, 0.01), unit(1, 0.02), unit(0, 1)];
    expect(linkRegions(points, 0.01, 'cosine')).toEqual([[0, 1], [2]]);
    const c = centroid(points, [0, 1], 'cosine');
    expect(Math.hypot(c[0]!, c[1]!)).toBeCloseTo(1, 6);
    expect(representatives(points, [0, 1, 2], c, 'cosine', 2).sort()).toEqual([0, 1]);
  });
});
