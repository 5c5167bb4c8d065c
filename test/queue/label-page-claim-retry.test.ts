import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A claim answered as a busy database answers it (the transaction rolled back): 503 with Retry-After. */
const BUSY = {
  status: 503,
  headers: { 'retry-after': '1' },
  contentType: 'application/json',
  body: JSON.stringify({ error: { code: 'service_unavailable', message: 'The database is busy; nothing was stored.' } }),
};

/** What the page's Math.random draws: each wait is its base plus 0.4 × half of it. */
const RANDOM = 0.4;

/**
 * Fixes the page's Math.random, counts its claims and puts its timers on playwright's fake clock,
 * paused; returns the count of claims sent so far.
 */
async function onFakeClock(page: Page): Promise<() => Promise<number>> {
  await page.addInitScript((r) => {
    Math.random = () => r;
    // Counted when the page calls fetch, so that a claim not yet sent is one not made.
    const claims = { n: 0 };
    const send = globalThis.fetch.bind(globalThis);
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith('/queue/claim')) claims.n += 1;
      return send(input, init);
    };
    Object.assign(globalThis, { claims, fetch: counting });
  }, RANDOM);
  const start = new Date('2026-12-02T08:00:00Z');
  await page.clock.install({ time: start });
  await page.clock.pauseAt(new Date(start.getTime() + 1000));
  return () => page.evaluate(() => (globalThis as unknown as { claims: { n: number } }).claims.n);
}

/**
 * The labeling page's claim after every attempt was refused, or after the queue had nothing: it
 * claims again 15 s later plus the same jitter as the API calls' own retries (busyRetryingFetch),
 * so pages refused (or idle) together do not all come back together. The claim is answered by playwright (the database plays no part), and
 * the page's timers run on playwright's fake clock.
 */
describe('labeling page: the claim after a refused or empty one', () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer();
    expect((await server.request('PUT', '/v1/models/m', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] })).status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('when every attempt of a claim is answered 503, then the page claims again after 15 s plus its jitter (18 s at random 0.4), not before', async () => {
    const page = await browser.newPage();
    await page.route('**/v1/models/m/queue/claim', (route) => route.fulfill(BUSY));
    const claims = await onFakeClock(page);

    await page.goto(`${server.url}/ui/models/m/label?labeler=ann`);
    // The call's own retries: Retry-After 1 s plus 0.4 × half of it.
    for (const attempt of [2, 3, 4]) {
      await page.locator('#lp-busy:not([hidden])', { hasText: `(attempt ${attempt} of 4)` }).waitFor();
      await page.clock.runFor(1200);
    }
    await page.locator('#lp-notice.error', { hasText: 'Could not claim' }).waitFor();
    expect(await page.textContent('#lp-notice')).toBe(
      'Could not claim an item: the database stayed busy through 4 attempts; nothing was stored. The page tries again in 18 seconds.',
    );
    expect(await claims()).toBe(4);

    await page.clock.runFor(17_999);
    expect(await claims(), 'not before the jittered wait').toBe(4);
    await page.clock.runFor(1);
    expect(await claims(), 'once the jittered wait is over').toBe(5);
    await page.close();
  });

  it('when a claim finds the queue empty, then the page claims again after 15 s plus the same jitter (18 s at random 0.4), not before', async () => {
    const page = await browser.newPage();
    await page.route('**/v1/models/m/queue/claim', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ items: [] }) }));
    const claims = await onFakeClock(page);

    await page.goto(`${server.url}/ui/models/m/label?labeler=ann`);
    await page.locator('#lp-empty:not([hidden])').waitFor();
    expect(await claims()).toBe(1);

    await page.clock.runFor(17_999);
    expect(await claims(), 'not before the jittered wait').toBe(1);
    await page.clock.runFor(1);
    expect(await claims(), 'once the jittered wait is over').toBe(2);
    await page.close();
  });
});
