import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusteredData } from '../support/clustered-data.js';
import { artifactPath, launchChromium } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { BEER, pintPng } from './png.js';
import { CONCEPT_IDS, CONCEPTS, labeledProduction, UNSURE, stats } from './support.js';

const BACKGROUNDS: [number, number, number][] = [[214, 196, 170], [188, 204, 222], [150, 150, 160], [226, 218, 200]];

/** A model whose examples and predictions carry pint thumbnails, a text input and an unsafe URL. */
async function setup(server: TestServer, key?: string) {
  const data = new ClusteredData({ dim: 16, clusters: 3, spread: 0.25, seed: 11 });
  const put = await server.request(
    'PUT',
    '/v1/models/perfect-pint',
    { task: 'multiclass', embeddingDim: 16, encoder: 'clip-vit-b32@2', concepts: CONCEPTS, settings: { queue: { uncertaintyThreshold: 0, weights: { ood: 1, uncertainty: 0, disagreement: 0 }, selection: 'priority' } } },
    key,
  );
  expect(put.status).toBe(201);
  const examples = Array.from({ length: 240 }, (_, i) => {
    const c = i % 3;
    const url = pintPng(BEER[CONCEPT_IDS[c]!]!, { size: 64, background: [236, 236 - (i % 7) * 4, 230] });
    return { id: `studio-${CONCEPT_IDS[c]}-${i}`, embedding: data.point(c), concepts: [CONCEPT_IDS[c]!], split: i < 200 ? 'train' : 'eval', input: { url } };
  });
  expect((await server.request('POST', '/v1/models/perfect-pint/examples', { examples }, key)).status).toBe(200);
  const predictions = [
    // The only far input, and OOD weighs everything here: it is claimed first.
    { id: 'ugc-phone-0001', embedding: data.outlier(3), scores: UNSURE, input: { url: pintPng(BEER.ipa!, { size: 160, background: BACKGROUNDS[0], tilt: 0.35 }) } },
    { id: 'ugc-review-0002', embedding: data.point(1), scores: { lager: 0.2, stout: 0.6, ipa: 0.2 }, input: { text: 'Pitch black, creamy tan head, poured at a pub in Dublin.' } },
    { id: 'ugc-phone-0003', embedding: data.point(2), scores: { lager: 0.5, stout: 0.1, ipa: 0.4 }, input: { url: pintPng(BEER.lager!, { size: 160, background: BACKGROUNDS[1] }) } },
    { id: 'ugc-bad-url-0004', embedding: data.point(0), scores: { lager: 0.55, stout: 0.05, ipa: 0.4 }, input: { url: 'javascript:alert(1)' } },
    { id: 'ugc-phone-0005', embedding: data.point(0, 0.3), scores: { lager: 0.6, stout: 0.1, ipa: 0.3 }, input: { url: pintPng(BEER.stout!, { size: 160, background: BACKGROUNDS[2] }) } },
  ];
  const ingested = await server.request('POST', '/v1/models/perfect-pint/predictions', { predictions }, key);
  expect(ingested.status).toBe(200);
  expect(ingested.body.results.every((r: { queued: boolean }) => r.queued)).toBe(true);
}

/** The item on screen: its id and prediction id. */
async function current(page: Page, previous?: string): Promise<{ itemId: string; predictionId: string }> {
  const selector = previous ? `#lp-work:not([hidden])[data-item-id]:not([data-item-id="${previous}"])` : '#lp-work:not([hidden])[data-item-id]';
  await page.waitForSelector(selector);
  const itemId = (await page.getAttribute('#lp-work', 'data-item-id'))!;
  const predictionId = (await page.getAttribute('#lp-work', 'data-prediction-id'))!;
  return { itemId, predictionId };
}

describe('labeling page', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it('when a labeler works with the keyboard, then each answer is stored and the page shows input, scores, reasons, neighbours and the dictionary', async () => {
    const server = await startTestServer();
    try {
      await setup(server);
      const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(err.message));
      // Failed loads are reported by URL below; the browser's own favicon probe is not the page's doing.
      page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
      page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
      await page.goto(`${server.url}/ui/models/perfect-pint/label?labeler=ann`);

      const first = await current(page);
      expect(first.predictionId).toBe('ugc-phone-0001');
      expect(await page.getAttribute('#lp-input img', 'src')).toMatch(/^data:image\/png;base64,/);
      expect(await page.locator('#lp-neighbors .lp-neighbor').count()).toBe(10);
      expect(await page.locator('#lp-neighbors .lp-neighbor img').count()).toBe(10);
      expect(await page.textContent('#lp-reasons')).toContain('Out of distribution');
      expect(await page.locator('#lp-scores .lp-bar').count()).toBe(3);
      expect(await page.textContent('#lp-dict')).toContain('Pale, clear, golden beer');
      expect(await page.textContent('#lp-remaining')).toBe('4');

      await page.keyboard.press('2');
      await page.waitForSelector('#lp-choices li.on[data-concept="stout"]');
      expect(await page.textContent('#lp-dict')).toContain('Near-black beer with a tan head');
      await page.screenshot({ path: artifactPath('label-page.png'), fullPage: true });
      await page.keyboard.press('Enter');

      let item = await current(page, first.itemId);
      expect((await labeledProduction(server, 'perfect-pint')).map((l) => [l.id, l.concepts])).toEqual([[first.predictionId, ['stout']]]);
      await page.waitForFunction("document.getElementById('lp-done').textContent === '1'");

      // The remaining four in whatever order their priorities give: check how each input renders, answer with a different key each time.
      const answers: string[] = [];
      for (let step = 0; step < 4; step++) {
        if (item.predictionId === 'ugc-bad-url-0004') {
          expect(await page.locator('#lp-input img').count()).toBe(0);
          expect(await page.textContent('#lp-input')).toContain('not an http(s) or data: image');
        } else if (item.predictionId === 'ugc-review-0002') {
          expect(await page.textContent('#lp-input blockquote')).toContain('Pitch black');
        } else {
          expect(await page.locator('#lp-input img').count()).toBe(1);
        }
        const action = ['new', 'oos', 'skip', 'digit'][step]!;
        answers.push(`${item.predictionId}:${action}`);
        if (action === 'new') {
          await page.keyboard.press('u');
          await page.locator('#lp-new-name').fill('cider');
          await page.keyboard.press('Enter');
        } else if (action === 'oos') {
          await page.keyboard.press('o');
          await page.keyboard.press('Enter');
        } else if (action === 'skip') {
          await page.keyboard.press('s');
        } else {
          await page.keyboard.press('1');
          await page.keyboard.press('Enter');
        }
        if (step < 3) item = await current(page, item.itemId).catch(async (err) => { throw new Error(`${answers.join(' ')} | ${await page.textContent('#lp-notice')} | ${await page.textContent('#lp-hint')} | ${err}`); });
      }
      await page.waitForSelector('#lp-empty:not([hidden])');

      const s = await stats(server, 'perfect-pint');
      expect(s).toMatchObject({ labeled: 3, outOfScope: 1, pending: 1, leased: 0 });
      expect(s.newConcepts).toEqual([{ concept: 'cider', labels: 1, labelers: 1 }]);
      expect(s.labelers).toEqual([{ labeler: 'ann', labeled: 4, today: 4, skipped: 1 }]);
      const stored = await labeledProduction(server, 'perfect-pint');
      expect(stored.map((l) => [...l.concepts, ...l.newConcepts.map((c) => `new:${c}`)]).sort()).toEqual([['lager'], ['new:cider'], ['stout']]);
      expect(problems).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('when the server has keys, then the page asks to sign in, and a label key labels under its own name', async () => {
    const admin = 'admin-key-0123456789abcdef';
    const server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: admin } });
    try {
      await setup(server, admin);
      const { key } = await server.driftloop.services.keys.create('label', 'bea');
      const page = await browser.newPage();
      await page.goto(`${server.url}/ui/models/perfect-pint/label`);
      await page.fill('#key', key);
      await page.click('#sign-in button[type=submit]');
      const first = await current(page);
      expect(await page.textContent('#lp-labeler')).toBe('bea');
      expect(await page.isHidden('#lp-change')).toBe(true);
      await page.keyboard.press('3');
      await page.keyboard.press('Enter');
      await current(page, first.itemId);
      const s = await stats(server, 'perfect-pint').catch(() => undefined);
      expect(s).toBeUndefined(); // the test helper sends no key: refused
      const res = await server.request('GET', '/v1/models/perfect-pint/queue', undefined, key);
      expect(res.body.labelers).toEqual([{ labeler: 'bea', labeled: 1, today: 1, skipped: 0 }]);
      expect(await page.evaluate("[sessionStorage.getItem('driftloop.key'), document.cookie]")).toEqual([null, '']);
      const html = await (await fetch(`${server.url}/ui/models/perfect-pint/label`)).text();
      expect(html).not.toContain('Pale, clear'); // no model data without a session
    } finally {
      await server.stop();
    }
  });

  it('when the model is unknown, then the page answers 404', async () => {
    const server = await startTestServer();
    try {
      const res = await fetch(`${server.url}/ui/models/${encodeURIComponent('<script>x</script>')}/label`);
      expect(res.status).toBe(404);
      const text = await res.text();
      expect(text).not.toContain('<script>x</script>');
      expect(text).toContain('&lt;script&gt;');
    } finally {
      await server.stop();
    }
  });
});
