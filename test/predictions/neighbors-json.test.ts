import { describe, expect, it } from 'vitest';
import { neighborsJson } from '../../src/predictions/neighbors-json.js';

describe('the neighbours a prediction row stores', () => {
  it('when neighbours are written, then the text is the one JSON.stringify gives for [[seq, distance], …], odd distances included', () => {
    const odd = [0, -0, 1e-7, 5e-324, 1.7976931348623157e308, 1e21, 123456789.125, NaN, Infinity, -Infinity, -0.25];
    const lists = [
      [],
      [{ seq: 7, distance: 0.5 }],
      odd.map((distance, i) => ({ seq: i * 1000 + 1, distance })),
      ...Array.from({ length: 50 }, (_, r) => Array.from({ length: 10 }, (_, i) => ({ seq: 1 + ((r * 7919 + i * 104729) % 1_000_000), distance: Math.random() * 2 }))),
    ];
    for (const list of lists) expect(neighborsJson(list)).toBe(JSON.stringify(list.map((n) => [n.seq, n.distance])));
  });
});
