import { describe, expect, it } from 'vitest';
import { ReferenceSet, type ReferencePoint } from '../../src/reference/reference-set.js';
import { HnswIndex } from '../../src/vectors/hnsw-index.js';
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
