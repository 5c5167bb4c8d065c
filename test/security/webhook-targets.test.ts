import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook } from '../../src/webhooks/post.js';
import { WebhookTargetPolicy } from '../../src/webhooks/target-policy.js';
import { startReceiver } from '../drift/support/receiver.js';
import { predictionFor, seedModel } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ADMIN = 'bootstrap-admin-key-0123456789';
const definition = (webhooks: unknown[]) => ({ task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }], settings: { webhooks } });

describe('webhook targets', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN, DRIFTLOOP_WEBHOOK_ALLOW: 'hooks.internal.example, 10.20.0.0/16' } });
  });
  afterAll(() => server.stop());

  it.each([
    'http://127.0.0.1:9/hook',
    'http://127.1/hook',
    'http://2130706433/hook',
    'http://0x7f.1/hook',
    'http://017700000001/hook',
    'http://[::1]/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0.0.0.0/hook',
    'http://10.0.0.7:5432/',
    'http://172.16.3.4/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    // Found by a hostile-client review: each reaches IPv4 or internal addresses another way.
    'http://[::127.0.0.1]/',
    'http://[::ffff:0:7f00:1]/',
    'http://[64:ff9b:1::a00:7]/',
    'http://[fec0::1]/',
    'http://[100::1]/',
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
    'http://100.64.0.1/',
    'http://localhost:8080/hook',
    'http://api.localhost/hook',
  ])('when a webhook targets %s, then the settings are refused with 400', async (url) => {
    const res = await server.request('PUT', '/v1/models/m', definition([url]), ADMIN);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toMatch(/DRIFTLOOP_WEBHOOK_ALLOW/);
  });

  it('when a key that is not an admin reads a model, then its webhook URLs show only their origin (many carry a secret in the path or query)', async () => {
    const url = 'https://hooks.example.com/services/T000/B000/SECRETTOKEN?token=abc';
    expect((await server.request('PUT', '/v1/models/hooked', definition([url, { url, secret: 's3cret-s3cret' }]), ADMIN)).status).toBe(201);
    const ingest = (await server.driftloop.services.keys.create('ingest', 'shop')).key;
    const label = (await server.driftloop.services.keys.create('label', 'lena')).key;
    for (const key of [ingest, label]) {
      const one = await server.request('GET', '/v1/models/hooked', undefined, key);
      expect(one.body.settings.webhooks).toEqual(['https://hooks.example.com/…', { url: 'https://hooks.example.com/…', secret: '********' }]);
      const all = await server.request('GET', '/v1/models', undefined, key);
      expect(JSON.stringify(all.body)).not.toContain('SECRETTOKEN');
    }
    const asAdmin = await server.request('GET', '/v1/models/hooked', undefined, ADMIN);
    expect(asAdmin.body.settings.webhooks).toEqual([url, { url, secret: '********' }]);
  });

  it('when a webhook URL carries user:pass@, then the answer is a clear 400', async () => {
    const res = await server.request('PUT', '/v1/models/m', definition([{ url: 'https://user:secret@hooks.example.com/x' }]), ADMIN);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/credentials/);
  });

  it('when the target is public or allowed by host or CIDR, then it is accepted', async () => {
    const res = await server.request('PUT', '/v1/models/m', definition(['https://hooks.example.com/x', 'http://hooks.internal.example/x', 'http://10.20.3.4:8080/x']), ADMIN);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});

describe('webhook delivery checks the resolved address', () => {
  it('when a name resolves to loopback at delivery time, then nothing is sent unless the allow list has it', async () => {
    const receiver = await startReceiver();
    const port = new URL(receiver.url).port;
    try {
      const send = (policy: WebhookTargetPolicy, url: string) => postWebhook(policy, url, { headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(5000) });
      // "localhost" stands for any public-looking name whose DNS answer is (or is rebound to) an internal address.
      await expect(send(new WebhookTargetPolicy([]), `http://localhost:${port}/hook`)).rejects.toThrow(/DRIFTLOOP_WEBHOOK_ALLOW/);
      await expect(send(new WebhookTargetPolicy([]), `http://127.0.0.1:${port}/hook`)).rejects.toThrow(/DRIFTLOOP_WEBHOOK_ALLOW/);
      await expect(send(new WebhookTargetPolicy(['10.0.0.0/8']), `http://[::ffff:7f00:1]:${port}/hook`)).rejects.toThrow(/DRIFTLOOP_WEBHOOK_ALLOW/);
      expect(receiver.received).toHaveLength(0);
      expect((await send(new WebhookTargetPolicy(['127.0.0.0/8', '::1']), `http://localhost:${port}/hook`)).status).toBe(200);
      expect((await send(new WebhookTargetPolicy(['127.0.0.1']), `http://127.0.0.1:${port}/hook`)).status).toBe(200);
      expect(receiver.received).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });
});

describe('webhook delivery errors', () => {
  let server: TestServer;
  let labelKey: string;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    labelKey = (await server.driftloop.services.keys.create('label', 'ann')).key;
  });
  afterAll(() => server.stop());

  it('when a delivery failed, then its error is shown to admins only', async () => {
    const m = await seedModel(server, { dim: 4, examples: 40, key: ADMIN });
    const predictions = Array.from({ length: 5 }, (_, i) => predictionFor(m, `p${i}`, i % 4));
    expect((await server.request('POST', `/v1/models/${m.name}/predictions`, { predictions }, ADMIN)).status).toBe(200);
    expect((await server.request('GET', `/v1/models/${m.name}/drift`, undefined, ADMIN)).status).toBe(200);
    const db = server.driftloop.services.database.db;
    const model = await db.selectFrom('models').select('id').where('name', '=', m.name).executeTakeFirstOrThrow();
    const snapshot = await db.selectFrom('drift_snapshots').select('id').where('model_id', '=', model.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    const event = await db.insertInto('drift_events').values({ model_id: model.id, snapshot_id: snapshot.id, created_at: now, score: 0.5, threshold: 0.15, p_value: 0.001, payload_json: '{}' }).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('webhook_deliveries')
      .values({ model_id: model.id, event_type: 'drift.detected', event_id: event.id, url: 'https://hooks.example.com/x', body: '{}', status: 'failed', next_attempt_at: null, last_status_code: 502, last_error: 'connect ECONNREFUSED 10.0.0.7:5432', created_at: now, updated_at: now })
      .execute();
    const asLabeler = await server.request('GET', `/v1/models/${m.name}/drift`, undefined, labelKey);
    expect(asLabeler.body.events[0].deliveries[0]).toMatchObject({ url: 'https://hooks.example.com/…', status: 'failed', lastError: null, lastStatusCode: null });
    const report = await server.request('GET', `/v1/models/${m.name}/report?format=json`, undefined, labelKey);
    expect(JSON.stringify(report.body)).not.toContain('ECONNREFUSED');
    const html = await (await fetch(`${server.url}/v1/models/${m.name}/report`, { headers: { authorization: `Bearer ${labelKey}` } })).text();
    expect(html).not.toContain('ECONNREFUSED');
    const asAdmin = await server.request('GET', `/v1/models/${m.name}/drift`, undefined, ADMIN);
    expect(asAdmin.body.events[0].deliveries[0].lastError).toBe('connect ECONNREFUSED 10.0.0.7:5432');
  });
});
