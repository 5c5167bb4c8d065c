import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriftData, modelDefinition } from '../drift/support/generated.js';
import { eventually, startReceiver, type Receiver } from '../drift/support/receiver.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PUBLIC_URL = 'https://driftloop.example.com';

/** What a team wiring driftloop's webhooks into a chat tool or an incident system receives. */
describe('webhook payloads', () => {
  let server: TestServer;
  let receiver: Receiver;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_PUBLIC_URL: `${PUBLIC_URL}/`, DRIFTLOOP_WEBHOOK_ALLOW: "127.0.0.1" } }); // receivers on loopback
  });
  afterAll(async () => {
    await server.stop();
    await receiver?.close();
  });

  async function drifting(name: string, webhooks: unknown[], extra: Record<string, unknown> = {}) {
    const gen = new DriftData(8, 5);
    const settings = { webhooks, drift: { windowSize: 60, evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 }, ...extra };
    expect((await server.request('PUT', `/v1/models/${name}`, modelDefinition(8, settings))).status).toBe(201);
    expect((await server.request('POST', `/v1/models/${name}/examples`, { examples: gen.examples(800) })).status).toBe(200);
    const region = gen.newRegion(30, 0);
    const predictions = [...gen.predictions(30), ...region];
    expect((await server.request('POST', `/v1/models/${name}/predictions`, { predictions })).status).toBe(200);
    expect((await server.request('GET', `/v1/models/${name}/drift`)).body.status).toBe('drift');
    return { region: region.map((p) => p.id) };
  }

  it('when a drift event is sent, then it carries its kind, absolute links under DRIFTLOOP_PUBLIC_URL, the top regions with example ids and one plain-text line', async () => {
    receiver = await startReceiver();
    const { region } = await drifting('pint', [receiver.url]);
    await receiver.waitFor(1);
    const body = JSON.parse(receiver.received[0]!.body);
    expect(body.kind).toBe('ood');
    expect(body.links).toEqual({ report: `${PUBLIC_URL}/ui/models/pint/report`, drift: `${PUBLIC_URL}/v1/models/pint/drift`, dashboard: `${PUBLIC_URL}/` });
    expect(body.regions.length).toBeGreaterThanOrEqual(1);
    expect(body.regions.length).toBeLessThanOrEqual(3);
    const [top] = body.regions;
    expect(top.size).toBeGreaterThanOrEqual(3);
    expect(top.examples.length).toBeGreaterThan(0);
    for (const id of top.examples) expect(region).toContain(id);
    expect(body.text).not.toContain('\n');
    expect(body.text).toMatch(/^driftloop: ood drift on model pint: \d+\.\d% of the last 60 predictions are out of distribution/);
    expect(body.text).toContain(`Report: ${PUBLIC_URL}/ui/models/pint/report`);
    expect(body.text).toMatch(/new region/);
  });

  it('when a delivery fails after every retry, then admins see it under GET /v1/webhooks/deliveries?status=failed and /metrics counts it', async () => {
    const failing = await startReceiver([500, 500, 500]);
    try {
      await drifting('broken', [failing.url], { webhookDelivery: { maxAttempts: 2, initialBackoffMs: 10, maxBackoffMs: 20 } });
      const failed = await eventually(async () => {
        const res = await server.request('GET', '/v1/webhooks/deliveries?status=failed');
        expect(res.status).toBe(200);
        return res.body.deliveries.find((d: { model: string }) => d.model === 'broken');
      });
      expect(failed).toMatchObject({ url: failing.url, status: 'failed', attempts: 2, lastStatusCode: 500, lastError: 'HTTP 500', eventType: 'drift.detected' });
      const all = (await server.request('GET', '/v1/webhooks/deliveries')).body;
      expect(all.counts.failed).toBe(1);
      expect(all.counts.delivered).toBeGreaterThanOrEqual(1);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^driftloop_webhook_deliveries\{status="failed"\} 1$/m);
      expect(metrics).toMatch(/^driftloop_webhook_deliveries\{status="delivered"\} [1-9]\d*$/m);
      expect((await server.request('GET', '/v1/webhooks/deliveries?status=lost')).status).toBe(400);
    } finally {
      await failing.close();
    }
  });
});
