import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../support/raw-http.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ADMIN = 'bootstrap-admin-key-0123456789';

/**
 * Finding of the security review of 2026-12-04, fixed since: with keys in force the Host header is not checked (only open mode checks it), and /metrics
 * answers without a key by default. A page on another site whose DNS name is rebound to the
 * server's address (127.0.0.1, or an intranet address) fetches /metrics as its own origin and
 * reads every model's name and every labeler's name (key names: often people's names or emails).
 * Cookies and keys do not travel to the rebound name, so nothing else keyless leaks. Now keyless
 * /metrics answers only IP-literal and loopback Hosts and the host of DRIFTLOOP_PUBLIC_URL; under
 * any other Host it needs a key.
 */
describe('DNS rebinding with keys in force', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    expect((await server.request('PUT', '/v1/models/secret-project', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }] }, ADMIN)).status).toBe(201);
  });
  afterAll(() => server.stop());

  it('when the server is asked for /metrics under a loopback or IP Host, then it answers (scrapers)', async () => {
    for (const host of ['127.0.0.1:8787', 'localhost:8787', '[::1]:8787', '10.0.0.5:8787']) {
      expect((await sendRaw(server.url, 'GET', '/metrics', { host })).status, host).toBe(200);
    }
  });

  it('when a rebound DNS name asks for /metrics without a key, then no model name is answered', async () => {
    // What the browser sends for `fetch('/metrics')` from http://attacker.example:8787 once its name points here.
    const answer = await sendRaw(server.url, 'GET', '/metrics', { host: 'attacker.example:8787', 'sec-fetch-site': 'same-origin' });
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain('secret-project');
    // A scraper that names the server by a DNS name sends a key.
    const keyed = await sendRaw(server.url, 'GET', '/metrics', { host: 'metrics.internal:8787', authorization: `Bearer ${ADMIN}` });
    expect(keyed.status).toBe(200);
    expect(keyed.text).toContain('secret-project');
  });
});
