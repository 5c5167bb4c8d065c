import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from '../support/browser.js';
import { ClusteredData } from '../support/clustered-data.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { BEER, pintPng } from './png.js';
import { UNSURE, ingest, setupModel } from './support.js';

/** The item on screen, once it differs from `previous`. */
async function current(page: Page, previous?: string): Promise<{ itemId: string; predictionId: string }> {
  const selector = previous ? `#lp-work:not([hidden])[data-item-id]:not([data-item-id="${previous}"])` : '#lp-work:not([hidden])[data-item-id]';
  await page.waitForSelector(selector);
  return { itemId: (await page.getAttribute('#lp-work', 'data-item-id'))!, predictionId: (await page.getAttribute('#lp-work', 'data-prediction-id'))! };
}

describe('labeling page: region picker and bulk grid', () => {
  let browser: Browser;
  let server: TestServer;
  const novel = new ClusteredData({ dim: 16, clusters: 1, spread: 0.1, seed: 99 });

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer();
    const fx = await setupModel(server, 'pint', { queue: { uncertaintyThreshold: 0.3 } });
    // Phone photos of a kind training never had, and uncertain in-distribution ones.
    await ingest(server, 'pint', [
      ...Array.from({ length: 14 }, (_, i) => ({ id: `phone-${i}`, embedding: novel.point(0), scores: UNSURE, input: { url: pintPng(BEER.stout!, { size: 64, background: [60, 50, 70], tilt: 0.3 }) } })),
      ...Array.from({ length: 30 }, (_, i) => ({ id: `studio-${i}`, embedding: fx.data.point(i % 3), scores: UNSURE, input: { url: pintPng(BEER.lager!, { size: 64 }) } })),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const bulkLabels = () =>
    server.driftloop.services.database.db.selectFrom('queue_labels').select(['item_id', 'claimed', 'bulk', 'concepts_json']).where('bulk', '=', 1).execute();
  const regionOf = async (itemId: string) =>
    (await server.driftloop.services.database.db.selectFrom('queue_items').select('region').where('id', '=', Number(itemId)).executeTakeFirstOrThrow()).region;

  it('when a labeler picks a region, answers, and confirms similar items in bulk, then confirmed tiles are stored as bulk labels at once and undo takes them back', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
    const gridRequests: string[] = [];
    page.on('request', (r) => r.url().includes('/similar?') && gridRequests.push(new URL(r.url()).search));
    await page.goto(`${server.url}/ui/models/pint/label?labeler=ann`);
    let item = await current(page);

    // The picker lists every region with its size, estimated accuracy and labels so far.
    const regions = (await server.request('GET', '/v1/models/pint/regions')).body.regions as { id: number; size: number; labeled: number }[];
    await page.waitForSelector(`#lp-region option[value="${regions[0]!.id}"]`, { state: 'attached' });
    const options = await page.locator('#lp-region option').allTextContents();
    expect(options).toHaveLength(regions.length + 1);
    expect(options[1]).toMatch(new RegExp(`^Region ${regions[0]!.id} · ${regions[0]!.size} predictions · est\\. \\d+% accurate · 0 labeled$`));
    const phoneRegion = await regionOf((await server.driftloop.services.database.db.selectFrom('queue_items').select('id').where('prediction_id', '=', 'phone-0').executeTakeFirstOrThrow()).id.toString());
    expect(regions[0]!.id).toBe(phoneRegion);
    await page.selectOption('#lp-region', String(phoneRegion));

    // The item on screen was claimed before the pick; once it is skipped, claims come from the region.
    if (!item.predictionId.startsWith('phone-')) {
      await page.keyboard.press('s');
      item = await current(page, item.itemId);
    }
    expect(item.predictionId).toMatch(/^phone-/);
    // Answer: the grid offers the nearest waiting items, all of the same kind.
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#lp-bulk:not([hidden]) .lp-tile');
    // The grid reaches twice the typical training-neighbour distance (docs/regions.md, bulk labeling).
    expect(gridRequests).toEqual(['?limit=9&radius=2']);
    const tiles = page.locator('#lp-bulk-grid .lp-tile');
    expect(await tiles.count()).toBeGreaterThanOrEqual(3);
    expect((await page.locator('#lp-bulk-grid .cap span:first-child').allTextContents()).every((id) => id.startsWith('phone-'))).toBe(true);
    expect(await page.textContent('#lp-bulk-answer')).toContain('stout');
    await page.keyboard.press('1');
    await page.keyboard.press('2');
    await page.keyboard.press('3');
    expect(await page.locator('#lp-bulk-grid .lp-tile.on').count()).toBe(3);
    await page.keyboard.press('2');
    expect(await page.locator('#lp-bulk-grid .lp-tile.on').count()).toBe(2);
    await page.screenshot({ path: artifactPath('label-page-bulk.png'), fullPage: true });
    const chosen = await page.locator('#lp-bulk-grid .lp-tile.on').evaluateAll((els) => els.map((e) => e.getAttribute('data-item-id')!));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#lp-undo:not([hidden])');
    expect(await page.textContent('#lp-undo-text')).toContain('Labeled 2 similar items');
    // Confirmed tiles are labeled at once, so no claim can hand them out again.
    expect((await bulkLabels()).map((r) => String(r.item_id)).sort()).toEqual([...chosen].sort());
    item = await current(page, item.itemId);
    expect(chosen).not.toContain(item.itemId);
    expect(await regionOf(item.itemId)).toBe(phoneRegion);

    // z takes them back: the items wait in the queue again.
    await page.keyboard.press('z');
    await page.waitForSelector('#lp-undo[hidden]', { state: 'attached' });
    // A locator wait: the page's CSP forbids the eval behind a string waitForFunction.
    await page.locator('#lp-notice', { hasText: 'Undone: 2 bulk labels' }).waitFor();
    expect(await bulkLabels()).toEqual([]);
    const statuses = await server.driftloop.services.database.db.selectFrom('queue_items').select('status').where('id', 'in', chosen.map(Number)).execute();
    expect(statuses.map((r) => r.status)).toEqual(['pending', 'pending']);

    // Answer again, select every tile with a, confirm: stored as unclaimed bulk labels with the answer.
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#lp-bulk:not([hidden]) .lp-tile');
    const offered = await page.locator('#lp-bulk-grid .lp-tile').evaluateAll((els) => els.map((e) => e.getAttribute('data-item-id')!));
    await page.keyboard.press('a');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#lp-undo:not([hidden])');
    const stored = await bulkLabels();
    expect(stored.map((r) => String(r.item_id)).sort()).toEqual([...offered].sort());
    expect(stored.every((r) => r.claimed === 0 && r.bulk === 1 && r.concepts_json === '["stout"]')).toBe(true);
    item = await current(page, item.itemId);

    // Switching the picker to another region: once the item on screen is answered, claims come from it.
    const other = regions.find((r) => r.id !== phoneRegion)!;
    await page.selectOption('#lp-region', String(other.id));
    await page.keyboard.press('s');
    item = await current(page, item.itemId);
    expect(await regionOf(item.itemId)).toBe(other.id);
    expect(problems).toEqual([]);
    await page.close();
  });
});
