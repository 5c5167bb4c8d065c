import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { startLockableServer, type WriteLock } from '../support/busy-database.js';
import type { TestServer } from '../support/server.js';
import { ingest, outliers, setupModel, UNSURE } from './support.js';

const LABELS_OF_ITEM = { sqlite: 'select count(*) as n from queue_labels where item_id = ?', postgres: 'select count(*) as n from queue_labels where item_id = $1' };

/** The item on screen, once it differs from `previous`. */
async function current(page: Page, previous?: string): Promise<string> {
  const selector = previous ? `#lp-work:not([hidden])[data-item-id]:not([data-item-id="${previous}"])` : '#lp-work:not([hidden])[data-item-id]';
  await page.waitForSelector(selector);
  return (await page.getAttribute('#lp-work', 'data-item-id'))!;
}

/**
 * The labeling page while another connection holds the database's write lock (SQLite's file
 * lock; on PostgreSQL an exclusive lock on queue_labels, which the server waits for until its
 * lock_timeout): the server answers the label 503 with Retry-After, and the page sends it again.
 */
describe('labeling page when the database is busy', () => {
  let browser: Browser;
  let server: TestServer;
  let lock: WriteLock;

  beforeAll(async () => {
    browser = await launchChromium();
    ({ server, lock } = await startLockableServer(['queue_labels']));
    const f = await setupModel(server, 'busy');
    await ingest(server, 'busy', outliers(f.data, 4).map((embedding, i) => ({ id: `odd-${i}`, embedding, scores: UNSURE })));
  });
  afterAll(async () => {
    await browser?.close();
    await lock?.close();
    await server?.stop();
  });

  /** The page, with the statuses of its label requests in order. */
  async function open(): Promise<{ page: Page; labels: number[] }> {
    const page = await browser.newPage();
    const labels: number[] = [];
    page.on('response', (r) => new URL(r.url()).pathname.endsWith('/labels') && labels.push(r.status()));
    await page.goto(`${server.url}/ui/models/busy/label?labeler=ann`);
    return { page, labels };
  }

  it('when a label is answered 503 with Retry-After, then the page says the database is busy, sends it again, stores it once and moves on', async () => {
    const { page, labels } = await open();
    const first = await current(page);
    await lock.hold();
    const refused = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/labels') && r.status() === 503);
    await page.keyboard.press('1');
    await page.keyboard.press('Enter');
    await refused;
    // Shown until the label goes through, and it cannot while the lock is held.
    const busy = page.locator('#lp-busy[role="status"]:not([hidden])', { hasText: /^Database busy, retrying… \(attempt [2-4] of 4\)$/ });
    await busy.waitFor();
    await lock.release();

    const second = await current(page, first);
    expect(second).not.toBe(first);
    expect(labels.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    expect(labels.at(-1)).toBe(200);
    expect(labels.filter((s) => s === 200)).toHaveLength(1);
    expect(await page.textContent('#lp-notice')).toBe('Saved: lager.');
    expect(await page.isHidden('#lp-busy')).toBe(true);
    expect(await lock.count(LABELS_OF_ITEM, Number(first))).toBe(1);
    const me = (await server.request('GET', '/v1/models/busy/queue')).body.labelers;
    expect(me).toEqual([{ labeler: 'ann', labeled: 1, today: 1, skipped: 0 }]);
    await page.close();
  });

  it('when every attempt is answered 503, then the page says nothing was stored, keeps the answer on screen, and it is saved when sent again', async () => {
    const { page, labels } = await open();
    const item = await current(page);
    await lock.hold();
    try {
      await page.keyboard.press('2');
      await page.keyboard.press('Enter');
      await page.locator('#lp-notice.error', { hasText: 'Not saved' }).waitFor();
    } finally {
      await lock.release();
    }
    expect(labels).toEqual([503, 503, 503, 503]);
    expect(await page.textContent('#lp-notice')).toBe(
      'Not saved: the database stayed busy through 4 attempts; nothing was stored. Your answer is still here: send it again.',
    );
    expect(await page.isHidden('#lp-busy')).toBe(true);
    expect(await page.getAttribute('#lp-work', 'data-item-id')).toBe(item);
    expect(await lock.count(LABELS_OF_ITEM, Number(item))).toBe(0);

    await page.keyboard.press('Enter');
    await current(page, item);
    expect(labels).toEqual([503, 503, 503, 503, 200]);
    expect(await lock.count(LABELS_OF_ITEM, Number(item))).toBe(1);
    await page.close();
  });
});
