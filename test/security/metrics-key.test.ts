import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';

const ADMIN = 'bootstrap-admin-key-0123456789';

describe('/metrics behind a key', () => {
  it('when DRIFTLOOP_METRICS_REQUIRE_KEY is true, then /metrics needs a key of any role and names no model without one', async () => {
    const server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN, DRIFTLOOP_METRICS_REQUIRE_KEY: 'true' } });
    try {
      expect((await server.request('PUT', '/v1/models/private-model', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }] }, ADMIN)).status).toBe(201);
      const anonymous = await fetch(`${server.url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.text()).not.toContain('private-model');
      const { key } = await server.driftloop.services.keys.create('label', 'ann');
      const withKey = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
      expect(withKey.status).toBe(200);
      expect(await withKey.text()).toContain('driftloop_http_requests_total');
    } finally {
      await server.stop();
    }
  });

  it('when the setting is left out, then /metrics stays open for scrapers', async () => {
    const server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
