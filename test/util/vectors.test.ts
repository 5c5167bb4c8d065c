import { describe, expect, it } from 'vitest';
import { decodeVector, encodeVector, encodeVectors, plainArray } from '../../src/util/vectors.js';

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

  it('when a typed array is made plain, then it holds the same values in a plain array; a plain array is passed as it is', () => {
    const f = Float32Array.of(0.1, -2.5, 1e-40, 3.4e38, -0);
    const plain = plainArray(f);
    expect(Array.isArray(plain)).toBe(true);
    expect(plain).toEqual([...f]);
    expect(Object.is(plain[4], -0)).toBe(true);
    const given = [1, 2, 3];
    expect(plainArray(given)).toBe(given);
    expect(plainArray(new Float64Array(0))).toEqual([]);
  });
});
