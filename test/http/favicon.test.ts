import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ADMIN = 'bootstrap-admin-key-0123456789';
const model = { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] };

/** Loads the page's declared icon as an image in the page itself: what its CSP's img-src decides. */
async function iconLoads(page: Page): Promise<string> {
  // A string: it runs in the page, whose DOM the test's tsconfig does not type.
  return page.evaluate<string>(`new Promise((resolve) => {
    const link = document.querySelector('link[rel="icon"]');
    if (!link) return resolve('no icon declared');
    const img = new Image();
    img.onload = () => resolve('loaded ' + img.naturalWidth + 'x' + img.naturalHeight);
    img.onerror = () => resolve('refused');
    img.src = link.href;
  })`);
}

describe('the icon: declared by every page, and served at /favicon.ico instead of a JSON 404', () => {
  let browser: Browser;
  let open: TestServer;
  let closed: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    open = await startTestServer();
    closed = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    expect((await open.request('PUT', '/v1/models/m', model)).status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await open?.stop();
    await closed?.stop();
  });

  it('when /favicon.ico is asked without a key, then it answers the SVG icon, cacheable, with the security headers', async () => {
    for (const server of [open, closed]) {
      const res = await fetch(`${server.url}/favicon.ico`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/svg+xml');
      expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^]*<\/svg>$/);
      const head = await fetch(`${server.url}/favicon.ico`, { method: 'HEAD' });
      expect([head.status, await head.text()]).toEqual([200, '']);
    }
    const metrics = await (await fetch(`${closed.url}/metrics`)).text();
    expect(metrics).toContain('driftloop_http_requests_total{method="GET",route="/favicon.ico",status="200"} 1');
    expect(metrics).not.toMatch(/driftloop_http_requests_total\{[^}]*status="404"/);
  });

  it('when a page opens, then its head declares the icon inline and its CSP lets it load, script rules unchanged', async () => {
    const served = await (await fetch(`${open.url}/favicon.ico`)).text();
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const [server, path, status] of [[open, '/', 200], [open, '/ui/models/m/report', 200], [open, '/ui/models/m/label', 200], [closed, '/', 401], [closed, '/ui/sign-in', 200]] as const) {
      const res = await page.goto(server.url + path);
      expect(res!.status(), path).toBe(status);
      const href = await page.getAttribute('link[rel="icon"]', 'href');
      expect(href, path).toBe(`data:image/svg+xml,${encodeURIComponent(served)}`);
      expect(await iconLoads(page), path).toBe('loaded 32x32');
      const csp = (await res!.allHeaders())['content-security-policy']!;
      expect(csp, path).toMatch(/img-src [^;]*data:/);
      expect(csp, path).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    }
    await page.goto(`${open.url}/docs`);
    expect(await page.getAttribute('link[rel="icon"]', 'href')).toBe('/favicon.ico');
    expect(await iconLoads(page)).toBe('loaded 32x32');
    await context.close();
  });
});
