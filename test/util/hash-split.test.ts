import { describe, it, expect } from 'vitest';
import { splitForId } from '../../src/util/hash-split.js';

const ids = Array.from({ length: 10_000 }, (_, i) => `example-${i}`);

describe('splitForId', () => {
  it('when splitting 10,000 fixed ids at the default share, then 2039 go to eval, within 20% ± 1.5%', () => {
    const evalCount = ids.filter((id) => splitForId(id) === 'eval').length;
    // 2039 is also what Python's hashlib gives: sha256(id)[:4] big-endian / 2**32 < 0.2.
    expect(evalCount).toBe(2039);
    expect(evalCount).toBeGreaterThanOrEqual(1850);
    expect(evalCount).toBeLessThanOrEqual(2150);
  });

  it('when hashing known ids, then their split matches the sha256 prefix computed with Python hashlib', () => {
    // Positions: example-0 0.8216, example-2 0.4242, example-3 0.2854, example-6 < 0.2, ünïcode-🍺 0.1411.
    expect(ids.slice(0, 7).map((id) => splitForId(id))).toEqual(['train', 'train', 'train', 'train', 'train', 'train', 'eval']);
    expect(splitForId('ünïcode-🍺')).toBe('eval');
    expect(splitForId('ünïcode-🍺', 0.14)).toBe('train');
    expect(splitForId('example-2', 0.5)).toBe('eval');
  });

  it("when a model's secret key is given, then the split follows HMAC-SHA256 under it (values from Python's hmac), not the id's plain hash", () => {
    const key = 'k'.repeat(64);
    // p-1: HMAC position 0.6217 (train), plain SHA-256 0.1169 (eval): the app that chose the id cannot tell.
    expect(splitForId('p-1', 0.2, key)).toBe('train');
    expect(splitForId('p-1')).toBe('eval');
    expect(splitForId('p-1', 0.63, key)).toBe('eval');
    expect(splitForId('p-1', 0.62, key)).toBe('train');
    // ipa-7 under another key: 0.2172.
    expect(splitForId('ipa-7', 0.22, '0123456789abcdef'.repeat(4))).toBe('eval');
    expect(splitForId('ipa-7', 0.21, '0123456789abcdef'.repeat(4))).toBe('train');
    const keyed = ids.filter((id) => splitForId(id, 0.2, key) === 'eval').length;
    expect(keyed).toBeGreaterThanOrEqual(1850);
    expect(keyed).toBeLessThanOrEqual(2150);
  });

  it('when the eval share is 0 or 1, then every id goes to train or to eval', () => {
    expect(ids.slice(0, 100).every((id) => splitForId(id, 0) === 'train')).toBe(true);
    expect(ids.slice(0, 100).every((id) => splitForId(id, 1) === 'eval')).toBe(true);
  });

  it('when the eval share is outside [0, 1], then it throws a RangeError', () => {
    expect(() => splitForId('x', 1.2)).toThrow(RangeError);
    expect(() => splitForId('x', Number.NaN)).toThrow(RangeError);
  });
});
