import { describe, expect, it, vi } from 'vitest';
import { ReferenceSet, type ReferencePoint } from '../../src/reference/reference-set.js';
import { HnswIndex } from '../../src/vectors/hnsw-index.js';
import { float32Point, indexDistance } from '../../src/vectors/index-distance.js';
import { ClusteredData } from '../support/clustered-data.js';

const DIM = 128;
const K = 10;
const data = new ClusteredData({ dim: DIM, clusters: 8, spread: 0.5, seed: 11 });
const points: ReferencePoint[] = Array.from({ length: 4000 }, (_, i) => ({
  seq: i + 1,
  id: `ex-${i + 1}`,
  split: i % 5 === 0 ? 'eval' : 'train',
  concepts: [`c${i % 8}`],
  embedding: data.point(i % 8),
}));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('reference set', () => {
  it('when a large batch is added, then the event loop runs between its steps, and every eval point is calibrated on its k nearest train points', async () => {
    const set = new ReferenceSet(HnswIndex.create('cosine', DIM), HnswIndex.create('cosine', DIM), { k: K, minCalibration: 50 });
    // Counts turns of the event loop while the add runs: one long synchronous add would let none through.
    let turns = 0;
    let adding = true;
    const spin = () => {
      if (!adding) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    await set.add(points);
    adding = false;
    // 3,200 inserts at 128 dims take far longer than the 15 ms between turns on any machine.
    expect(turns).toBeGreaterThan(2);
    expect(set.train.size).toBe(3200);
    expect(set.evalIndex.size).toBe(800);
    for (const p of points.filter((q) => q.split === 'eval')) {
      expect(set.calibration.get(p.seq)).toBeCloseTo(mean(set.train.search(p.embedding, K).distances), 12);
    }
  });
});

describe('reference set, train points arriving after the eval points', () => {
  const first = points.slice(0, 2000);
  const evals = first.filter((p) => p.split === 'eval');

  /** The eval points whose calibration is not the mean of their exact k nearest of `later` and the first train points, by brute force at the index's own distance. */
  const offExact = (set: ReferenceSet, later: ReferencePoint[], k: number) => {
    const train = [...first, ...later].filter((p) => p.split === 'train').map((p) => float32Point(p.embedding));
    return evals.filter((e) => {
      const query = float32Point(e.embedding);
      const exact = train.map((t) => indexDistance('cosine', query, t)).sort((a, b) => a - b).slice(0, k);
      return Math.abs(set.calibration.get(e.seq)! - mean(exact)) > 1e-5;
    });
  };

  it('when train points arrive in small batches, then each eval point is calibrated on its exact k nearest train points, without a train search or a read of its vector', async () => {
    const set = new ReferenceSet(HnswIndex.create('cosine', DIM), HnswIndex.create('cosine', DIM), { k: K, minCalibration: 50 });
    const later = points.slice(2000).filter((p) => p.split === 'train');
    await set.add(first);
    const searches = vi.spyOn(set.train, 'searchMany');
    const reads = vi.spyOn(set.evalIndex, 'vector');
    for (let i = 0; i < later.length; i += 100) await set.add(later.slice(i, i + 100));

    // Every eval point already had k train neighbours: the new train points update them in place.
    expect(searches).not.toHaveBeenCalled();
    expect(reads).not.toHaveBeenCalled();
    // A pair the eval-index search misses leaves a point stale.
    expect(offExact(set, later, K).length).toBeLessThanOrEqual(evals.length * 0.01);
  });

  it('when k changes and more train points arrive, then the calibration follows the new k nearest', async () => {
    const set = new ReferenceSet(HnswIndex.create('cosine', DIM), HnswIndex.create('cosine', DIM), { k: K, minCalibration: 50 });
    const later = points.slice(2000, 3000).filter((p) => p.split === 'train');
    await set.add(first);
    set.reconfigure({ k: 4, minCalibration: 50 });
    for (let i = 0; i < later.length; i += 100) await set.add(later.slice(i, i + 100));

    // Lists of the old k would put nearly every point off. At k = 4 the eval-index search looks at
    // 16 eval points per train point and misses more pairs: 12 of 400 off (9 when every affected
    // point was searched again).
    expect(offExact(set, later, 4).length).toBeLessThanOrEqual(evals.length * 0.05);
  });
});
