import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_FRESH_MS } from '../../src/auth/api-keys.service.js';
import { launchChromium } from '../support/browser.js';
import { ManualClock } from '../support/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';

const model = { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] };
const PAGES = ['/', '/ui/models/m/report', '/ui/models/m/label', '/ui/label', '/ui/models/nope/report', '/ui/nothing-here', '/ui/sign-in', '/ui/sign-out'];
const MISSING = new Set(['/ui/models/nope/report', '/ui/nothing-here']);

/** The header's visible end: the sign-out button and the open-mode note, as a visitor sees them. */
async function headerEnd(page: Page) {
  return {
    signOut: await page.locator('header.top form[action="/ui/sign-out"] button:visible').count(),
    openMode: (await page.locator('header.top #open-mode').count()) > 0 ? await page.textContent('header.top #open-mode') : null,
  };
}

describe('the page header in open mode and signed in (Chromium)', () => {
  let browser: Browser;
  let server: TestServer;
  const clock = new ManualClock();
  let adminKey: string;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer({ clock });
    expect((await server.request('PUT', '/v1/models/m', model)).status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('when the server runs open, then no page offers "Sign out": the header says open mode and the CLI command that ends it, and every visible link works', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const path of PAGES) {
      const res = await page.goto(server.url + path);
      expect(res!.status(), path).toBe(MISSING.has(path) ? 404 : 200);
      const end = await headerEnd(page);
      expect(end.signOut, path).toBe(0);
      expect(end.openMode, path).toBe('Open mode on loopback: no API key yet, so every visitor is admin. It ends for good once a key exists: npx driftloop keys create --role admin');
      expect(await page.locator('a:visible, button:visible', { hasText: /sign out/i }).count(), path).toBe(0);
      for (const href of await page.locator('a:visible').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))) {
        if (href.startsWith('#') || href.startsWith('?')) continue;
        expect((await fetch(new URL(href, server.url + path))).status, `${path} links ${href}`).toBeLessThan(400);
      }
    }
    await context.close();
  });

  it('when the server runs open, then /ui/sign-in offers no form that cannot succeed: it says every visitor is admin, links on, and names the command that ends open mode', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const [path, link] of [['/ui/sign-in', '/'], ['/ui/sign-in?next=%2Fui%2Fmodels%2Fm%2Freport', '/ui/models/m/report']] as const) {
      expect((await page.goto(server.url + path))!.status(), path).toBe(200);
      expect(await page.locator('input[name="key"], form#sign-in').count(), path).toBe(0);
      expect(await page.textContent('#open-mode-sign-in p'), path).toBe('This server runs open on loopback: no API key exists yet, so every visitor is admin and there is no key to sign in with.');
      expect(await page.textContent('#open-mode-sign-in p.muted'), path).toBe('Open mode ends for good once a key exists: create one with npx driftloop keys create --role admin, then sign in here with it.');
      expect(await page.getAttribute('#open-mode-sign-in a', 'href'), path).toBe(link);
      expect((await headerEnd(page)).openMode, path).toMatch(/^Open mode on loopback/);
      await page.click('#open-mode-sign-in a');
      await page.waitForURL(server.url + link);
      expect(await page.locator('header.top #open-mode').count(), `${path} links a page that opens`).toBe(1);
    }
    // A form posted anyway (one kept from before, or a script) is refused with the same explanation.
    const posted = await fetch(`${server.url}/ui/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'key=dl_admin_nope' });
    expect(posted.status).toBe(401);
    const text = await posted.text();
    expect(text).toContain('id="open-mode-sign-in"');
    expect(text).not.toContain('name="key"');
    await context.close();
  });

  it('when a key ends open mode, then the note is gone, and a signed-in page offers "Sign out" again', async () => {
    const { key } = await server.driftloop.services.keys.create('admin', 'owner');
    adminKey = key;
    await clock.advance(AUTH_FRESH_MS);
    const context = await browser.newContext();
    const page = await context.newPage();
    expect((await page.goto(`${server.url}/ui/sign-in`))!.status()).toBe(200);
    expect(await page.locator('#open-mode-sign-in').count(), 'the sign-in page works as a form again').toBe(0);
    expect((await page.goto(`${server.url}/`))!.status()).toBe(401);
    expect(await headerEnd(page)).toEqual({ signOut: 0, openMode: null });
    await page.fill('#key', key);
    await page.click('#sign-in button[type=submit]');
    await page.waitForURL(`${server.url}/`);
    for (const path of PAGES.filter((p) => p !== '/ui/sign-out')) {
      await page.goto(server.url + path);
      expect(await headerEnd(page), path).toEqual({ signOut: 1, openMode: null });
    }
    await context.close();
  });
  it('when a signed-out visitor or a key opens an unknown page, then its header offers sign-in or nothing, and it says no more about a model that exists than one that does not', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const bodies = new Map<string, string>();
    for (const path of ['/ui/nothing-here', '/ui/models/m/nothing', '/ui/models/nope/nothing']) {
      expect((await page.goto(server.url + path))!.status(), path).toBe(404);
      expect(await headerEnd(page), path).toEqual({ signOut: 0, openMode: null });
      expect(await page.getAttribute('header.top a:has-text("Sign in")', 'href'), path).toBe('/ui/sign-in');
      bodies.set(path, (await page.content()).replaceAll(path, '{path}'));
    }
    expect(bodies.get('/ui/models/m/nothing')).toBe(bodies.get('/ui/models/nope/nothing'));
    await page.click('header.top a:has-text("Sign in")');
    await page.waitForSelector('#sign-in #key');
    // A page of a model answers the sign-in form whether the model exists or not.
    const forms: { status: number; body: string }[] = [];
    for (const name of ['m', 'nope']) {
      const res = await page.goto(`${server.url}/ui/models/${name}/report`);
      forms.push({ status: res!.status(), body: (await page.content()).replaceAll(`/ui/models/${name}/report`, '{path}') });
    }
    expect(forms[0]!.status).toBe(401);
    expect(forms[1]).toEqual(forms[0]);
    await context.close();

    const withKey = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${adminKey}` } });
    const keyPage = await withKey.newPage();
    expect((await keyPage.goto(`${server.url}/ui/nothing-here`))!.status()).toBe(404);
    expect(await headerEnd(keyPage)).toEqual({ signOut: 0, openMode: null });
    expect(await keyPage.locator('header.top a:has-text("Sign in")').count(), 'a key needs no sign-in').toBe(0);
    await withKey.close();
  });
  it('when a labeler opens the labeling page, then its own "sign out" button shows for a session only and signs out in one click, not for a browser that sends the key itself', async () => {
    const { key } = await server.driftloop.services.keys.create('label', 'lab');
    /** The page once its script has run (it writes the labeler's name), with what it offers to end. */
    async function labelPage(page: Page) {
      await page.goto(`${server.url}/ui/models/m/label`);
      await page.locator('#lp-labeler').filter({ hasText: /^lab$/ }).waitFor();
      return { inPage: await page.isVisible('#lp-sign-out'), header: await headerEnd(page) };
    }
    const withKey = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${key}` } });
    expect(await labelPage(await withKey.newPage())).toEqual({ inPage: false, header: { signOut: 0, openMode: null } });
    await withKey.close();

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/ui/sign-in`);
    await page.fill('#key', key);
    await page.click('#sign-in button[type=submit]');
    await page.waitForURL(`${server.url}/ui/label`);
    expect(await labelPage(page)).toEqual({ inPage: true, header: { signOut: 1, openMode: null } });
    // One click ends the session: no confirmation page in between.
    await page.click('#lp-sign-out');
    await page.waitForURL(`${server.url}/ui/sign-in`);
    expect(await context.cookies()).toEqual([]);
    expect((await page.goto(`${server.url}/ui/models/m/label`))!.status()).toBe(401);
    await context.close();
  });
});
