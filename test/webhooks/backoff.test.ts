import { describe, expect, it } from 'vitest';
import { backoffDelayMs, parseRetryAfter } from '../../src/webhooks/backoff.js';
import { signBody, verifySignature } from '../../src/webhooks/signature.js';

const policy = { maxAttempts: 6, initialBackoffMs: 1000, maxBackoffMs: 10_000, timeoutMs: 5000 };

describe('webhook backoff and signature', () => {
  it('when attempts fail, then the delay doubles from the initial backoff up to the cap, with at most 10% jitter', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(policy, a, 0))).toEqual([1000, 2000, 4000, 8000, 10_000]);
    expect(backoffDelayMs(policy, 2, 0.999)).toBeLessThanOrEqual(2200);
  });

  it('when the receiver sends Retry-After, then a longer wait is honoured up to the cap', () => {
    expect(backoffDelayMs(policy, 1, 0, parseRetryAfter('5', 0))).toBe(5000);
    expect(backoffDelayMs(policy, 1, 0, parseRetryAfter('600', 0))).toBe(10_000);
    expect(parseRetryAfter(new Date(30_000).toUTCString(), 0)).toBe(30_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('when a body is signed, then the header is the hex HMAC-SHA256 that a receiver can verify', () => {
    // echo -n '{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signBody('{"a":1}', 'secret')).toBe('sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494');
    expect(verifySignature('{"a":1}', 'secret', signBody('{"a":1}', 'secret'))).toBe(true);
    expect(verifySignature('{"a":1}', 'secret', undefined)).toBe(false);
  });
});
