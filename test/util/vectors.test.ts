import { describe, expect, it } from 'vitest';
import { decodeVector, encodeVector, encodeVectors } from '../../src/util/vectors.js';

describe('packing embeddings for storage', () => {
  it('when many embeddings are packed at once, then each reads back as the same bytes as packed alone', () => {
    const vectors = [[0.1, -2.5, 1e-40, 3.4e38], Float32Array.of(1.5, 2, -0), [7], []];
    const packed = encodeVectors(vectors);
    expect(packed).toHaveLength(4);
    packed.forEach((bytes, i) => {
      expect(bytes.equals(encodeVector(vectors[i]!))).toBe(true);
      expect([...decodeVector(bytes)]).toEqual([...Float32Array.from(vectors[i]!)]);
    });
  });

  it('when nothing is packed, then there is nothing', () => {
    expect(encodeVectors([])).toEqual([]);
  });
});
