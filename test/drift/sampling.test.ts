import { describe, expect, it } from 'vitest';
import { poolRareCategories } from '../../src/drift/detectors/pool-categories.js';
import { BottomK, hash32 } from '../../src/drift/sampling/bottom-k.js';

describe('bottom-k sampling', () => {
  const sample = (keys: string[], k: number) => {
    const b = new BottomK<string>(k);
    for (const key of keys) b.offer(hash32(key, 1), key);
    return b.items();
  };
  const keys = Array.from({ length: 5000 }, (_, i) => `ex-${i}`);

  it('when the same keys arrive in any order, then the same k are kept', () => {
    const shuffled = [...keys].sort((a, b) => hash32(a, 99) - hash32(b, 99));
    expect(sample(shuffled, 100)).toEqual(sample(keys, 100));
    expect(sample(keys, 100)).toHaveLength(100);
  });

  it('when the key set grows a little, then most of the sample stays', () => {
    const before = new Set(sample(keys, 200));
    const after = sample([...keys, ...Array.from({ length: 100 }, (_, i) => `new-${i}`)], 200);
    expect(after.filter((k) => before.has(k)).length).toBeGreaterThan(180);
  });

  it('when hashing many keys, then the values spread evenly over 32 bits', () => {
    const below = keys.filter((k) => hash32(k, 7) < 2 ** 31).length;
    expect(below / keys.length).toBeGreaterThan(0.47);
    expect(below / keys.length).toBeLessThan(0.53);
  });
});

describe('pooling rare chi-square categories', () => {
  it('when every expected count is at least 5, then nothing is pooled', () => {
    expect(poolRareCategories([10, 20, 30], [0.2, 0.3, 0.5], 60)).toEqual({ observed: [10, 20, 30], shares: [0.2, 0.3, 0.5], pooled: 0 });
  });

  it('when some expected counts are small, then they are pooled into one cell large enough', () => {
    const r = poolRareCategories([40, 50, 3, 2, 5], [0.45, 0.45, 0.03, 0.03, 0.04], 100);
    expect(r.pooled).toBe(3);
    expect(r.observed).toEqual([40, 50, 10]);
    expect(r.shares[2]).toBeCloseTo(0.1, 12);
  });

  it('when pooling the small ones is not enough, then the next smallest joins them', () => {
    const r = poolRareCategories([50, 5, 1], [0.9, 0.07, 0.03], 50);
    expect(r.observed).toEqual([50, 6]);
    expect(r.pooled).toBe(2);
  });
});
