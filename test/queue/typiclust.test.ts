import { describe, expect, it } from 'vitest';
import { typiclustOrder, type TypiclustItem } from '../../src/queue/selection/typiclust.js';

/** A tight group of `n` points along x around (cx, cy), ids from `first`; the middle one (offset 0) is its most typical. */
function group(first: number, n: number, cx: number, cy: number, ood = true): TypiclustItem[] {
  return Array.from({ length: n }, (_, i) => {
    const offset = (i - (n - 1) / 2) * 0.1;
    return { id: first + i, embedding: Float32Array.from([cx + offset, cy]), ood, key: `p-${first + i}` };
  });
}

const middle = (first: number, n: number) => first + (n - 1) / 2;
// Three out-of-distribution groups (11, 7 and 5 members) far apart, and in-distribution items.
const a = group(100, 11, 0, 0);
const b = group(200, 7, 50, 0);
const c = group(300, 5, 0, 50);
const inDistribution = group(400, 9, 50, 50, false);
const all = [...inDistribution, ...c, ...a, ...b];

describe('TypiClust', () => {
  it('when nothing is labeled, then the most typical member of each cluster comes first, largest cluster first', () => {
    const order = typiclustOrder(all, { labeled: [], batch: 3, seed: 1 });
    expect(order.slice(0, 3)).toEqual([middle(100, 11), middle(200, 7), middle(300, 5)]);
    expect([...order].sort((x, y) => x - y)).toEqual(all.map((i) => i.id).sort((x, y) => x - y));
  });

  it('when a cluster already holds a label, then its items are passed for the clusters no label covers', () => {
    const order = typiclustOrder(all, { labeled: [Float32Array.from([0, 0])], batch: 2, seed: 1 });
    expect(order.slice(0, 2)).toEqual([middle(200, 7), middle(300, 5)]);
  });

  it('when clusters are smaller than five or in distribution, then they give no pick and the rest follows in a seeded order', () => {
    const small = group(500, 4, 90, 90);
    const order = typiclustOrder([...inDistribution, ...small], { labeled: [], batch: 2, seed: 3 });
    const again = typiclustOrder([...inDistribution, ...small], { labeled: [], batch: 2, seed: 3 });
    expect(again).toEqual(order);
    expect(typiclustOrder([...inDistribution, ...small], { labeled: [], batch: 2, seed: 4 })).not.toEqual(order);
    // No pick: the seeded order alone, not the input order.
    expect(order).not.toEqual([...inDistribution, ...small].map((i) => i.id));
  });
});
