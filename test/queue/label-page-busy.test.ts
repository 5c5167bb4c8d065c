import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { startLockableServer, type WriteLock } from '../support/busy-database.js';
import { ClusteredData } from '../support/clustered-data.js';
import type { TestServer } from '../support/server.js';
import { ingest, outliers, setupModel, UNSURE } from './support.js';

const BULK_LABELS = { sqlite: 'select count(*) as n from queue_labels where bulk = ?', postgres: 'select count(*) as n from queue_labels where bulk = $1' };
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
    // Inputs of one kind training never had: an answer offers the others in the bulk grid.
    const novel = new ClusteredData({ dim: 16, clusters: 1, spread: 0.1, seed: 99 });
    await setupModel(server, 'busy-bulk', { queue: { uncertaintyThreshold: 0.3 } });
    await ingest(server, 'busy-bulk', Array.from({ length: 6 }, (_, i) => ({ id: `phone-${i}`, embedding: novel.point(0), scores: UNSURE })));
  });
  afterAll(async () => {
    await browser?.close();
    await lock?.close();
    await server?.stop();
  });

  /** The page, with the statuses of its label requests in order. */
  async function open(model = 'busy', labeler = 'ann'): Promise<{ page: Page; labels: number[] }> {
    const page = await browser.newPage();
    const labels: number[] = [];
    page.on('response', (r) => new URL(r.url()).pathname.endsWith('/labels') && labels.push(r.status()));
    await page.goto(`${server.url}/ui/models/${model}/label?labeler=${labeler}`);
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

  it('when the undo of a bulk confirm is answered 503 through every attempt, then z is offered again and takes the labels back once the database is free', async () => {
    const { page } = await open('busy-bulk', 'bo');
    const first = await current(page);
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#lp-bulk:not([hidden]) .lp-tile');
    expect(await page.locator('#lp-bulk-grid .lp-tile').count()).toBeGreaterThanOrEqual(3);
    // Two tiles, so items are left to claim next.
    await page.keyboard.press('1');
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    const tiles = 2;
    await page.waitForSelector('#lp-undo:not([hidden])');
    await current(page, first);
    expect(await lock.count(BULK_LABELS, 1)).toBe(tiles);

    const retracts: number[] = [];
    page.on('response', (r) => new URL(r.url()).pathname.endsWith('/labels/retract') && retracts.push(r.status()));
    await lock.hold();
    try {
      await page.keyboard.press('z');
      await page.locator('#lp-notice.error', { hasText: 'Could not undo' }).waitFor();
    } finally {
      await lock.release();
    }
    expect(retracts).toEqual([503, 503, 503, 503]);
    expect(await page.textContent('#lp-notice')).toBe('Could not undo: the database stayed busy through 4 attempts; nothing was stored. Press z to try again.');
    expect(await page.isVisible('#lp-undo')).toBe(true);
    expect(await lock.count(BULK_LABELS, 1)).toBe(tiles);

    await page.keyboard.press('z');
    await page.locator('#lp-notice', { hasText: `Undone: ${tiles} bulk label` }).waitFor();
    expect(retracts).toEqual([503, 503, 503, 503, 200]);
    expect(await lock.count(BULK_LABELS, 1)).toBe(0);
    await page.close();
  });
});
