import Database from 'better-sqlite3';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ADMIN = 'bootstrap-admin-key-0123456789';
const model = { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'secret-concept-a', description: 'Only for signed-in eyes' }, { id: 'b' }] };

describe('browser sign-in (Chromium)', () => {
  let browser: Browser;
  let server: TestServer;
  let labelKey: string;
  let ingestKey: string;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    expect((await server.request('PUT', '/v1/models/hidden-model', model, ADMIN)).status).toBe(201);
    labelKey = (await server.driftloop.services.keys.create('label', 'bea')).key;
    ingestKey = (await server.driftloop.services.keys.create('ingest', 'pipeline')).key;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('when a page is opened without a session, then it answers the sign-in form and no model data', async () => {
    for (const p of ['/', '/ui/models/hidden-model/report', '/ui/models/hidden-model/label', '/ui/models/nope/label']) {
      const res = await fetch(server.url + p);
      expect(res.status, p).toBe(401);
      const text = await res.text();
      expect(text).toContain('name="key"');
      expect(text, 'a signed-out visitor is offered no sign-out').not.toContain('/ui/sign-out');
      expect(text).not.toContain('hidden-model"');
      expect(text).not.toContain('secret-concept-a');
      expect(text).not.toContain('Only for signed-in eyes');
    }
  });

  it('when an admin signs in, then the cookie is HttpOnly, SameSite=Strict, expiring and not Secure over http, and every page opens', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/ui/models/hidden-model/report`);
    await page.fill('#key', ADMIN);
    await page.click('#sign-in button[type=submit]');
    await page.waitForURL(`${server.url}/ui/models/hidden-model/report`);
    expect(await page.content()).toContain('hidden-model');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'driftloop_session', httpOnly: true, sameSite: 'Strict', secure: false });
    expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000);
    expect(cookie!.expires).toBeLessThan(Date.now() / 1000 + 13 * 3600);
    expect(await page.evaluate('document.cookie')).toBe('');
    const dashboard = await page.goto(`${server.url}/`);
    expect(dashboard!.status()).toBe(200);
    expect(await page.content()).toContain('hidden-model');
    await context.close();
  });

  it('when a wrong key is entered, then the form says so and no cookie is set', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.fill('#key', 'dl_admin_not-a-key');
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#sign-in-error');
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });

  it('when a label key signs in, then it opens the labeling page only', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/ui/sign-in`);
    await page.fill('#key', labelKey);
    await page.click('#sign-in button[type=submit]');
    await page.waitForURL(`${server.url}/ui/label`);
    expect(await page.content()).toContain('/ui/models/hidden-model/label');
    expect((await page.goto(`${server.url}/`))!.status()).toBe(403);
    expect((await page.goto(`${server.url}/ui/models/hidden-model/report`))!.status()).toBe(403);
    expect(await page.content()).not.toContain('secret-concept-a');
    expect((await page.goto(`${server.url}/ui/models/hidden-model/label`))!.status()).toBe(200);
    await page.waitForSelector('#lp-empty:not([hidden])');
    expect(await page.textContent('#lp-labeler')).toBe('bea');
    await context.close();
  });

  it('when a labeler signs in on the dashboard (the page the README opens first), then they land on their labeling pages, and the dashboard refusal links there', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect((await page.goto(`${server.url}/`))!.status()).toBe(401);
    await page.fill('#key', labelKey);
    await page.click('#sign-in button[type=submit]');
    await page.waitForURL(`${server.url}/ui/label`);
    expect(await page.content()).toContain('/ui/models/hidden-model/label');
    expect((await page.goto(`${server.url}/`))!.status()).toBe(403);
    await page.click('a[href="/ui/label"]');
    await page.waitForURL(`${server.url}/ui/label`);
    // An admin signing in on the dashboard still lands on it.
    const admin = await fetch(`${server.url}/ui/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${ADMIN}&next=%2F` });
    expect([admin.status, admin.headers.get('location')]).toEqual([303, '/']);
    await context.close();
  });

  it('when an ingest key signs in, then the form refuses it (403, saying why) and no session begins, so no page opens for it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/ui/sign-in`);
    await page.fill('#key', ingestKey);
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/ui/sign-in') && r.request().method() === 'POST'), page.click('#sign-in button[type=submit]')]);
    expect(answer.status()).toBe(403);
    await expect.poll(() => page.textContent('body')).toContain('An ingest key sends predictions and opens no page');
    expect(await context.cookies()).toEqual([]);
    expect((await page.goto(`${server.url}/`))!.status()).toBe(401);
    expect((await page.goto(`${server.url}/ui/models/hidden-model/label`))!.status()).toBe(401);
    await context.close();
  });

  /** A fresh browser context signed in with the admin key on the sign-in page, and its session cookie. */
  async function signedInAsAdmin() {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/ui/sign-in`);
    await page.fill('#key', ADMIN);
    await page.click('#sign-in button[type=submit]');
    await page.waitForURL(`${server.url}/`);
    const [cookie] = await context.cookies();
    return { context, page, cookie: cookie! };
  }

  /** The page landed on sign-in, the cookie is gone, and replaying the old one is refused; closes the context. */
  async function expectSignedOut(context: BrowserContext, page: Page, cookie: { value: string }) {
    await page.waitForURL(`${server.url}/ui/sign-in`);
    expect(await context.cookies()).toEqual([]);
    const replay = await fetch(`${server.url}/`, { headers: { cookie: `driftloop_session=${cookie.value}` } });
    expect(replay.status).toBe(401);
    await context.close();
  }

  it('when the user signs out, then the session ends for good, and a sign-out without the CSRF token is refused', async () => {
    const { context, page, cookie } = await signedInAsAdmin();
    const forged = await fetch(`${server.url}/ui/sign-out`, {
      method: 'POST',
      headers: { cookie: `driftloop_session=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrf=guessed',
    });
    expect(forged.status).toBe(403);
    // Without a token the browser's Origin must name this server: none, or another site's, is refused.
    for (const origin of [undefined, 'https://evil.example', 'null']) {
      const res = await fetch(`${server.url}/ui/sign-out`, {
        method: 'POST',
        headers: { cookie: `driftloop_session=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
        body: '',
      });
      expect(res.status, `Origin ${origin}`).toBe(403);
    }
    expect((await page.goto(`${server.url}/`))!.status()).toBe(200);
    await page.goto(`${server.url}/ui/sign-out`);
    await page.click('#sign-out button[type=submit]');
    await expectSignedOut(context, page, cookie);
  });

  it("when the user clicks the header's \"Sign out\", then the session ends in that one click", async () => {
    const { context, page, cookie } = await signedInAsAdmin();
    await page.click('header.top form[action="/ui/sign-out"] button');
    await expectSignedOut(context, page, cookie);
  });

  it('when a session expires or its key is revoked, then its pages ask to sign in again', async () => {
    const { key, info } = await server.driftloop.services.keys.create('admin', 'temp-owner');
    const signIn = async () => {
      const res = await fetch(`${server.url}/ui/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${encodeURIComponent(key)}` });
      expect(res.status).toBe(303);
      return /driftloop_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
    };
    const expiring = await signIn();
    expect((await fetch(`${server.url}/`, { headers: { cookie: `driftloop_session=${expiring}` } })).status).toBe(200);
    const sqlite = new Database(path.join(server.dataDir, 'driftloop.sqlite'));
    sqlite.prepare('update sessions set expires_at = ?').run(new Date(Date.now() - 1000).toISOString());
    sqlite.close();
    expect((await fetch(`${server.url}/`, { headers: { cookie: `driftloop_session=${expiring}` } })).status).toBe(401);
    const revoked = await signIn();
    await server.driftloop.services.keys.revoke(info.id);
    expect((await fetch(`${server.url}/`, { headers: { cookie: `driftloop_session=${revoked}` } })).status).toBe(401);
  });

  it('when another site posts the sign-in form, then it is refused', async () => {
    const res = await fetch(`${server.url}/ui/sign-in`, { method: 'POST', redirect: 'manual', headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${ADMIN}` });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('when a sign-in names a next page elsewhere, then it lands on this server', async () => {
    for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
      const res = await fetch(`${server.url}/ui/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${ADMIN}&next=${encodeURIComponent(next)}` });
      expect(res.headers.get('location'), next).toBe('/');
    }
  });

  it('when the dashboard, the report and the sign-in form are served, then they carry CSP, nosniff and frame-ancestors', async () => {
    for (const p of ['/', '/ui/models/hidden-model/report', '/ui/sign-in']) {
      const res = await fetch(server.url + p, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-security-policy'), p).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('content-security-policy'), p).toMatch(/default-src 'none'/);
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
    }
  });
});
