import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { CONCEPTS, plantedData } from './planted.js';

const NASTY = '<img src=x onerror="alert(1)">';

describe('training-data health in the drift report', () => {
  let server: TestServer;
  let browser: Browser | undefined;
  const planted = plantedData(32, 5);

  beforeAll(async () => {
    server = await startTestServer();
    const settings = { drift: { windowSize: 100, evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 } };
    expect((await server.request('PUT', '/v1/models/planted', { task: 'multiclass', embeddingDim: planted.dim, concepts: CONCEPTS.map((id) => ({ id })), settings })).status).toBe(201);
    const twin = planted.examples.find((e) => e.id === 'c2-0')!;
    const examples = [...planted.examples, { ...twin, id: NASTY }];
    expect((await server.request('POST', '/v1/models/planted/examples', { examples })).status).toBe(200);
    expect((await server.request('POST', '/v1/models/planted/predictions', { predictions: planted.predictions(40, 60) })).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('when the report is asked for as JSON, then it carries the checklist the health endpoint gives', async () => {
    const [report, health] = await Promise.all([server.request('GET', '/v1/models/planted/report?format=json'), server.request('GET', '/v1/models/planted/health')]);
    expect(report.status).toBe(200);
    expect(report.body.health).toEqual(health.body);
    expect(report.body.health.checks.map((c: { status: string }) => c.status)).toEqual(Array(8).fill('warn'));
  });

  it('when the report page is fetched, then it lists every check with its badge and ids, escaped', async () => {
    const res = await fetch(`${server.url}/ui/models/planted/report`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Training-data health');
    for (const name of ['concept_balance', 'near_duplicates', 'label_conflicts', 'train_eval_leakage', 'concept_distinctness', 'training_coverage', 'concept_spread', 'calibration_size']) {
      expect(page).toContain(`data-check="${name}"`);
    }
    expect(page.match(/<span class="badge warn">warn<\/span>/g)).toHaveLength(8);
    for (const id of [...planted.expected.leaked, ...planted.expected.conflicts, 'dup-exact-1', 'far-59']) expect(page).toContain(id);
    expect(page).not.toContain(NASTY);
    expect(page).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  });

  it('when the report is rendered in headless Chromium, then the section shows eight checks and opens their ids', async () => {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    expect((await page.goto(`${server.url}/ui/models/planted/report`))?.status()).toBe(200);
    const section = page.locator('#training-data-health');
    expect(await section.locator('table.health tbody tr').count()).toBe(8);
    // The drift tests' table keeps its own five rows.
    expect(await page.locator('table.tests tbody tr').count()).toBe(5);
    const leakage = section.locator('tr[data-check="train_eval_leakage"]');
    await leakage.locator('summary').click();
    expect(await leakage.locator('.ids .mono').innerText()).toContain('leak-eval-0');
    await section.screenshot({ path: artifactPath('training-data-health.png') });
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
