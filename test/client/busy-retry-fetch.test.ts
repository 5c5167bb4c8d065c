import { describe, expect, it } from 'vitest';
import { busyRetryingFetch, retryAfterMs, type BusyRetry } from '../../src/client/index.js';

/** A fetch that answers the given statuses in turn (with these headers) and records each request's method and body. */
function scripted(answers: { status: number; headers?: Record<string, string> }[]) {
  const seen: string[] = [];
  const send: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    seen.push(`${req.method} ${await req.text()}`);
    const a = answers[Math.min(seen.length, answers.length) - 1]!;
    return new Response(JSON.stringify({ n: seen.length }), { status: a.status, headers: a.headers });
  };
  return { send, seen };
}

const BUSY = { status: 503, headers: { 'retry-after': '1' } };

describe('busyRetryingFetch', () => {
  it('when an answer is 503 with Retry-After, then the same request is sent again until another answer comes', async () => {
    const { send, seen } = scripted([BUSY, BUSY, { status: 200 }]);
    const retries: BusyRetry[] = [];
    const res = await busyRetryingFetch(send, { maxWaitMs: 0, onRetry: (r) => retries.push(r) })('http://x/v1/models/m/labels', { method: 'POST', body: '{"a":1}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ n: 3 });
    expect(seen).toEqual(['POST {"a":1}', 'POST {"a":1}', 'POST {"a":1}']);
    expect(retries).toEqual([{ attempt: 1, attempts: 4, waitMs: 0 }, { attempt: 2, attempts: 4, waitMs: 0 }]);
  });

  it('when the request is a Request with a body, then each attempt sends the whole body', async () => {
    const { send, seen } = scripted([BUSY, { status: 200 }]);
    const res = await busyRetryingFetch(send, { maxWaitMs: 0 })(new Request('http://x/p', { method: 'POST', body: 'payload' }));
    expect(res.status).toBe(200);
    expect(seen).toEqual(['POST payload', 'POST payload']);
  });

  it('when every attempt is busy, then the last 503 comes back after `attempts` sends', async () => {
    const { send, seen } = scripted([BUSY]);
    const res = await busyRetryingFetch(send, { attempts: 3, maxWaitMs: 0 })('http://x/p', { method: 'POST', body: 'b' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ n: 3 });
    expect(seen).toHaveLength(3);
  });

  it('when an answer is any other status, or a 503 without Retry-After, then it is not sent again', async () => {
    for (const answer of [{ status: 503 }, { status: 503, headers: { 'retry-after': 'soon' } }, { status: 500, headers: { 'retry-after': '1' } }, { status: 409 }, { status: 429, headers: { 'retry-after': '1' } }]) {
      const { send, seen } = scripted([answer, { status: 200 }]);
      const res = await busyRetryingFetch(send, { maxWaitMs: 0 })('http://x/p', { method: 'POST', body: 'b' });
      expect([res.status, seen.length]).toEqual([answer.status, 1]);
    }
  });

  it('when Retry-After asks for longer than maxWaitMs, then the wait is capped', async () => {
    const { send } = scripted([{ status: 503, headers: { 'retry-after': '120' } }, { status: 200 }]);
    const retries: BusyRetry[] = [];
    await busyRetryingFetch(send, { maxWaitMs: 1, onRetry: (r) => retries.push(r) })('http://x/p');
    expect(retries.map((r) => r.waitMs)).toEqual([1]);
  });

  it('when a wait is drawn, then it is Retry-After plus up to half of it from the random source, capped at maxWaitMs', async () => {
    const waits = async (retryAfter: string, maxWaitMs: number, draws: number[]) => {
      const { send } = scripted([{ status: 503, headers: { 'retry-after': retryAfter } }]);
      const controller = new AbortController();
      const retries: BusyRetry[] = [];
      const random = () => draws.shift() ?? 0;
      // Aborting in onRetry records the wait without sleeping through it.
      const call = busyRetryingFetch(send, { maxWaitMs, random, onRetry: (r) => (retries.push(r), controller.abort(new Error('seen'))) })('http://x/p', { signal: controller.signal });
      await expect(call).rejects.toThrow('seen');
      return retries.map((r) => r.waitMs);
    };
    expect(await waits('2', 60_000, [0])).toEqual([2000]);
    expect(await waits('2', 60_000, [0.5])).toEqual([2500]);
    expect(await waits('2', 60_000, [0.999])).toEqual([2999]);
    expect(await waits('4', 5_000, [0.9])).toEqual([5000]);
    expect(await waits('0', 60_000, [0.9])).toEqual([0]);
  });

  it('when many clients are refused at once with the same Retry-After, then their waits spread over half of it', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) - 1) / 2147483646;
    const waits: number[] = [];
    for (let client = 0; client < 50; client++) {
      const { send } = scripted([{ status: 503, headers: { 'retry-after': '1' } }]);
      const controller = new AbortController();
      const call = busyRetryingFetch(send, { random, onRetry: (r) => (waits.push(r.waitMs), controller.abort(new Error('seen'))) })('http://x/p', { signal: controller.signal });
      await expect(call).rejects.toThrow('seen');
    }
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1500);
    expect(new Set(waits).size).toBeGreaterThan(40);
  });

  it('when the signal aborts during the wait, then the call rejects with its reason and sends nothing more', async () => {
    const { send, seen } = scripted([{ status: 503, headers: { 'retry-after': '60' } }, { status: 200 }]);
    const controller = new AbortController();
    const call = busyRetryingFetch(send, { maxWaitMs: 60_000, onRetry: () => controller.abort(new Error('page closed')) })('http://x/p', { signal: controller.signal });
    await expect(call).rejects.toThrow('page closed');
    expect(seen).toHaveLength(1);
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-12-02T04:30:00Z');
    expect(retryAfterMs('1', now)).toBe(1000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Wed, 02 Dec 2026 04:30:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Wed, 02 Dec 2026 04:29:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('-1', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
