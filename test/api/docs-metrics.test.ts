import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionFor, seedModel } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('health, metrics and API docs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('when /healthz is read, then it answers ok', async () => {
    const res = await server.client.healthz.$get();
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('when predictions were ingested, then /metrics reports requests, ingested predictions, scoring latency and index sizes', async () => {
    const m = await seedModel(server, { dim: 8, examples: 100 });
    await server.request('POST', `/v1/models/${m.name}/predictions`, { predictions: [0, 1, 2].map((i) => predictionFor(m, `p${i}`, i)) });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/driftloop_http_requests_total\{method="POST",route="\/v1\/models\/:model\/predictions",status="200"\} 1/);
    expect(text).toMatch(/driftloop_predictions_ingested_total\{model="pint"\} 3/);
    expect(text).toMatch(/driftloop_scoring_seconds_count 1/);
    expect(text).toMatch(/driftloop_index_points\{model="pint",split="train"\} \d+/);
  });

  it('when /openapi.json is read, then it documents the v1 contract', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/v1/models/{model}', '/v1/models/{model}/examples', '/v1/models/{model}/predictions']) expect(doc.paths).toHaveProperty(p);
  });

  it('when /docs is opened, then the viewer and its assets come from this server (no CDN)', async () => {
    const html = await (await fetch(`${server.url}/docs`)).text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) {
      expect(s.startsWith('/')).toBe(true);
      expect((await fetch(server.url + s)).status).toBe(200);
    }
  });
});
