import { describe, expect, it } from 'vitest';
import { HnswIndex, searchEach } from '../../src/vectors/hnsw-index.js';

// A batch searched on the main thread (the eval index of the health checklist) takes event-loop
// turns when it runs long, and answers exactly as one uninterrupted pass does.

const DIM = 32;
const point = (id: number) => Array.from({ length: DIM }, (_, j) => Math.sin(id * 3.7 + j * 0.9) + (j === id % DIM ? 1.5 : 0));

describe('searching a batch on the main thread', () => {
  it('when the batch runs long, then other callbacks run before it answers, and the answers are those of one uninterrupted pass', async () => {
    const index = HnswIndex.create('cosine', DIM, { m: 8, efConstruction: 64, efSearch: 64 });
    for (let id = 1; id <= 3000; id++) index.add(id, point(id));
    // 4,000 searches at k = 40: tens of ms on any machine, well past the 5 ms turn.
    const queries = new Float64Array(4000 * DIM);
    for (let q = 0; q < 4000; q++) queries.set(point(100_000 + q), q * DIM);
    let ranBetween = false;
    setImmediate(() => (ranBetween = true));
    const found = index.searchMany(queries, 40);
    expect(ranBetween).toBe(false);
    const answers = await found;
    expect(ranBetween).toBe(true);
    expect(answers).toEqual(searchEach(index, queries, 40));
  });
});
