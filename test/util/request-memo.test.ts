import { describe, expect, it } from 'vitest';
import { RequestMemo } from '../../src/util/request-memo.js';

describe('RequestMemo', () => {
  it('when one request asks twice, then it is answered once; another request, or none, is answered anew', async () => {
    const memo = new RequestMemo<number>();
    let computed = 0;
    const compute = async () => ++computed;
    const a = {};
    const b = {};
    expect(await memo.get(a, compute)).toBe(1);
    expect(await memo.get(a, compute)).toBe(1);
    expect(await memo.get(b, compute)).toBe(2);
    expect(await memo.get(undefined, compute)).toBe(3);
    expect(await memo.get(undefined, compute)).toBe(4);
    expect(computed).toBe(4);
  });
});
