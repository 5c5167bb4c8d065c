import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';

const ADMIN = 'bootstrap-admin-key-0123456789';
const model = { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] };

describe('API keys and roles', () => {
  let server: TestServer;
  let ingestKey: string;
  let labelKey: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    ingestKey = (await server.driftloop.services.keys.create('ingest', 'app')).key;
    labelKey = (await server.driftloop.services.keys.create('label', 'people')).key;
  });
  afterAll(() => server.stop());

  it('when no key is sent while keys exist, then the answer is 401 in the error shape', async () => {
    const res = await server.request('GET', '/v1/models');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('when an unknown key is sent, then the answer is 401', async () => {
    const res = await server.request('GET', '/v1/models', undefined, 'dl_admin_not-a-real-key');
    expect(res.status).toBe(401);
  });

  it('when a key is sent without the Bearer scheme, then the 401 says how to send it, not that the key is unknown', async () => {
    for (const authorization of [ADMIN, `Token ${ADMIN}`, 'Bearer']) {
      const res = await fetch(`${server.url}/v1/models`, { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message, authorization).toBe('Send the key as Authorization: Bearer <key>');
    }
    const unknown = await fetch(`${server.url}/v1/models`, { headers: { authorization: 'Bearer dl_admin_not-a-real-key' } });
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('Unknown or revoked API key');
  });

  it('when a key lacks the role, then the answer is 403', async () => {
    const asIngest = await server.request('PUT', '/v1/models/m', model, ingestKey);
    expect(asIngest.status).toBe(403);
    expect(asIngest.body.error.code).toBe('forbidden');
    expect((await server.request('PUT', '/v1/models/m', model, ADMIN)).status).toBe(201);
    const asLabeler = await server.request('POST', '/v1/models/m/predictions', { predictions: [] }, labelKey);
    expect(asLabeler.status).toBe(403);
  });

  it('when the ingest key reads models, then it may', async () => {
    const res = await server.request('GET', '/v1/models', undefined, ingestKey);
    expect(res.status).toBe(200);
  });

  it('when a key is revoked, then it is refused', async () => {
    const { key, info } = await server.driftloop.services.keys.create('ingest', 'temp');
    expect((await server.request('GET', '/v1/models', undefined, key)).status).toBe(200);
    await server.driftloop.services.keys.revoke(info.id);
    expect((await server.request('GET', '/v1/models', undefined, key)).status).toBe(401);
  });

  it('when keys are stored, then the database holds only their hashes', async () => {
    const rows = await server.driftloop.services.database.db.selectFrom('api_keys').select(['key_hash', 'key_prefix']).execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      expect(r.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(r.key_hash).not.toContain(ingestKey);
    }
    expect(rows.map((r) => r.key_hash)).not.toContain(ingestKey);
  });

  it('when a sign-in names a next page with a control or non-ASCII character, then it lands on the default page with one session, not a 500', async () => {
    const sessions = async () => Number((await server.driftloop.services.database.db.selectFrom('sessions').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    for (const next of ['/\u0000', '/a\u0001b', '/x\u007f', '/caf\u00e9', '/\u{1f600}', '/\u2028']) {
      const before = await sessions();
      const res = await fetch(`${server.url}/ui/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${ADMIN}&next=${encodeURIComponent(next)}` });
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(res.headers.get('location'), JSON.stringify(next)).toBe('/');
      expect(await sessions(), JSON.stringify(next)).toBe(before + 1);
    }
  });

  it('when the page a sign-in came from has a URL past 2,048 characters, then the right key still signs in and lands on the default page', async () => {
    // The page guard puts the page's path and query in the form's next: a long query made the form refuse every key (400, "Enter an API key.").
    const here = `/ui/models/m/report?x=${'y'.repeat(3000)}`;
    const form = await fetch(`${server.url}${here}`);
    expect(form.status).toBe(401);
    expect(await form.text()).toContain('y'.repeat(3000));
    const res = await fetch(`${server.url}/ui/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${ADMIN}&next=${encodeURIComponent(here)}` });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(res.headers.get('set-cookie')).toMatch(/^driftloop_session=[^;]/);
  });
});

describe('open mode', () => {
  it('when no key is configured and HOST is not loopback, then the server refuses to start', async () => {
    const config = loadConfig({ PORT: '0', HOST: '0.0.0.0', DRIFTLOOP_DATA_DIR: tempDataDir() });
    await expect(createApp(config, pino({ level: 'silent' }))).rejects.toThrow(/not loopback/);
  });

  it('when no key is configured on loopback, then requests need no key', async () => {
    const server = await startTestServer();
    expect((await server.request('PUT', '/v1/models/m', model)).status).toBe(201);
    await server.stop();
  });
});
