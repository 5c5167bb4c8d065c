import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from '../support/browser.js';
import { databaseEnv } from '../support/database.js';
import { DriftProviderStandIns } from '../support/drift-providers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DriftData, modelDefinition } from './support/generated.js';
import { pintPhoto } from './support/png.js';

const run = promisify(execFile);

const DAYLIGHT = { background: [196, 170, 130] as [number, number, number], beer: [214, 150, 40] as [number, number, number] };
const SCENES = [
  { background: [40, 30, 45] as [number, number, number], beer: [150, 90, 20] as [number, number, number] },
  { background: [110, 160, 90] as [number, number, number], beer: [230, 180, 60] as [number, number, number] },
];

describe('drift report and dashboard', () => {
  let server: TestServer;
  let browser: Browser;
  const gen = new DriftData(32, 11);
  const providers = new DriftProviderStandIns();

  beforeAll(async () => {
    server = await startTestServer({ replace: { driftProviders: providers.wrap } });
    browser = await launchChromium();
    const settings = { drift: { windowSize: 200, evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000, cooldownMinutes: 60 } };
    expect((await server.request('PUT', '/v1/models/perfect-pint', modelDefinition(32, settings))).status).toBe(201);
    for (let i = 0; i < 4; i++) expect((await server.request('POST', '/v1/models/perfect-pint/examples', { examples: gen.examples(500) })).status).toBe(200);
    const send = async (predictions: unknown[]) => expect((await server.request('POST', '/v1/models/perfect-pint/predictions', { predictions })).status).toBe(200);
    const photo = (i: number) => ({ url: pintPhoto(DAYLIGHT, i) });
    // Clean traffic, evaluated as it arrives: the history.
    for (let i = 0; i < 6; i++) {
      await send(gen.predictions(100).map((p, j) => ({ ...p, input: photo(j) })));
      await server.request('GET', '/v1/models/perfect-pint/drift');
    }
    // Then phone photos in dark bars and outdoor pints arrive: two new regions and some noise.
    for (let i = 0; i < 5; i++) {
      await send([
        ...gen.predictions(60, { prior: [0.4, 0.2, 0.2, 0.2] }).map((p, j) => ({ ...p, input: photo(j) })),
        ...gen.newRegion(25, 0, (j) => ({ url: pintPhoto(SCENES[0]!, j) })),
        ...gen.newRegion(12, 1, (j) => ({ url: pintPhoto(SCENES[1]!, j) })),
        ...gen.outliers(3).map((p) => ({ ...p, input: { text: 'blurry photo, no glass visible' } })),
      ]);
      await server.request('GET', '/v1/models/perfect-pint/drift');
    }
    providers.set({
      labeledAccuracy: async () => ({ production: { correct: 41, total: 60 }, evalAccuracy: 0.91 }),
      versions: async () => [
        { version: 'v1', status: 'champion', createdAt: '2024-05-02T09:12:00.000Z', metrics: { clean: { accuracy: 0.91, macroF1: 0.9 }, production: { accuracy: 0.68, macroF1: 0.64 } }, trainedOn: { examples: 1600 } },
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('when the report is rendered in headless Chromium, then it shows the verdict, charts, tests, new regions with images, events and versions', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const res = await page.goto(`${server.url}/ui/models/perfect-pint/report`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('.page-head .status').innerText()).toMatch(/drift/i);
    // Drift score, p-values, estimated accuracy, confidence histogram, concept mix.
    expect(await page.locator('svg.chart').count()).toBe(5);
    expect(await page.locator('table.tests tbody tr').count()).toBe(5);
    // The page names the test each p-value comes from, as the test itself reports it (docs/drift.md).
    expect(await page.locator('table.tests tbody tr').first().innerText()).toContain('one-sided beta-binomial');
    expect(await page.locator('.kpi', { hasText: 'OOD rate p-value' }).innerText()).toContain('one-sided beta-binomial');
    expect(await page.locator('table.tests tbody tr').last().innerText()).toContain('one-sided exact binomial');
    const regions = page.locator('.region');
    expect(await regions.count()).toBeGreaterThanOrEqual(2);
    // The map: training rings and production points coloured by region, one numbered centre per region.
    const map = page.locator('svg.region-map');
    expect(await map.locator('.training circle').count()).toBeGreaterThan(0);
    expect(await map.locator('.production circle').count()).toBeGreaterThan(0);
    expect(await map.locator('.centre').count()).toBe(await regions.count());
    const images = await page.locator('.region img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
    expect(images.length).toBeGreaterThan(0);
    expect(images.every((w) => w > 0)).toBe(true);
    expect(await page.getByText('v1', { exact: true }).count()).toBe(1);
    await page.screenshot({ path: artifactPath('drift-report.png'), fullPage: true });
    await page.close();
  });

  it('when the report is asked for as JSON, then it holds the same sections as data', async () => {
    const res = await server.request('GET', '/v1/models/perfect-pint/report?format=json');
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.drift.status).toBe('drift');
    expect(r.drift.tests.map((t: { name: string }) => t.name)).toEqual(['ood_rate', 'embedding_mmd', 'prediction_shift', 'confidence_shift', 'labeled_accuracy']);
    expect(r.distributions.confidence.production).toHaveLength(20);
    expect(r.distributions.concepts.map((c: { concept: string }) => c.concept)).toEqual(['lager', 'stout', 'ipa', 'wheat']);
    expect(r.regions.regions.length).toBeGreaterThanOrEqual(2);
    // The phone photos training never had come first: mostly out of distribution, hardly any training share.
    const [first] = r.regions.regions;
    expect(first.oodShare).toBeGreaterThan(0.5);
    expect(first.trainingShare).toBeLessThan(first.share);
    expect(first.inputs[0].url).toMatch(/^data:image\/png;base64,/);
    expect(r.regions.map.some((p: { kind: string }) => p.kind === 'training')).toBe(true);
    expect(r.versions).toHaveLength(1);
    const html = await fetch(`${server.url}/v1/models/perfect-pint/report`);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('when the dashboard is opened, then each model shows its drift status, queue depth, champion and last event', async () => {
    await server.request('PUT', '/v1/models/quiet', modelDefinition(4));
    const page = await browser.newPage({ viewport: { width: 1280, height: 500 } });
    const res = await page.goto(`${server.url}/`);
    expect(res?.status()).toBe(200);
    const rows = page.locator('table.models tbody tr');
    expect(await rows.count()).toBe(2);
    const pint = rows.filter({ hasText: 'perfect-pint' });
    expect(await pint.locator('.badge.drift').count()).toBe(1);
    expect(await pint.innerText()).toMatch(/#1/);
    expect(await rows.filter({ hasText: 'quiet' }).innerText()).toMatch(/not evaluated/);
    await page.screenshot({ path: artifactPath('dashboard.png'), fullPage: true });
    await page.close();
  });

  it('when the CLI writes a report, then the file holds the same report read from the data folder', async () => {
    const out = path.join(server.dataDir, 'report.html');
    const env = { ...process.env, DRIFTLOOP_DATA_DIR: server.dataDir, LOG_LEVEL: 'silent', ...(await databaseEnv(server.dataDir)) };
    await run('node', ['bin/driftloop.js', 'report', 'perfect-pint', '--out', out], { env });
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toContain('perfect-pint');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(5);
    const missing = await run('node', ['bin/driftloop.js', 'report', 'nope'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(missing).toMatchObject({ code: 1 });
    expect((missing as { stderr: string }).stderr).toMatch(/does not exist/);
  });

  it('when a model has no predictions yet, then its report page says so instead of an ok verdict on 0 predictions', async () => {
    expect((await server.request('PUT', '/v1/models/no-traffic', modelDefinition(4))).status).toBe(201);
    const page = await (await fetch(`${server.url}/ui/models/no-traffic/report`)).text();
    expect(page).toContain('<strong>No predictions yet.</strong>');
    expect(page).toContain('no data yet</span>');
    expect(page).not.toContain('No drift past the threshold');
    // The API keeps its contract: status ok, score 0.
    expect((await server.request('GET', '/v1/models/no-traffic/drift')).body).toMatchObject({ status: 'ok', window: { count: 0 } });
  });
});
