import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, ingest, label, outliers, setupModel, UNSURE, type Fixture } from '../queue/support.js';
import { startTestServer, type TestServer } from '../support/server.js';

const scrape = async (server: TestServer) => (await fetch(`${server.url}/metrics`)).text();

describe('/metrics for alerting', () => {
  let server: TestServer;
  let f: Fixture;
  beforeAll(async () => {
    server = await startTestServer();
    f = await setupModel(server, 'pint', { drift: { windowSize: 20, evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 } });
  });
  afterAll(() => server.stop());

  it('when twelve labelers label, then driftloop_labels names the ten with most labels and sums the rest as "other"', async () => {
    const labelers = Array.from({ length: 12 }, (_, i) => `labeler-${String(i).padStart(2, '0')}`);
    await ingest(server, 'pint', outliers(f.data, 40).map((embedding, i) => ({ id: `p-${i}`, embedding, scores: UNSURE })));
    // labeler-00 labels 3 items, labeler-01 2, the rest 1 each.
    for (const [i, l] of labelers.entries()) {
      const items = await claim(server, 'pint', l, i === 0 ? 3 : i === 1 ? 2 : 1);
      expect((await label(server, 'pint', items.map((it) => ({ itemId: it.itemId, labeler: l, concepts: ['lager'] })))).status).toBe(200);
    }
    const text = await scrape(server);
    const series = [...text.matchAll(/^driftloop_labels\{model="pint",labeler="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])] as const);
    expect(series).toHaveLength(11);
    expect(Object.fromEntries(series)).toMatchObject({ 'labeler-00': 3, 'labeler-01': 2, other: 2 });
    expect(series.reduce((n, [, v]) => n + v, 0)).toBe(3 + 2 + 10);
  });

  it('when the window drifts, then drift status, score and queue depth are exported per model', async () => {
    expect((await server.request('GET', '/v1/models/pint/drift')).body.status).toBe('drift');
    const text = await scrape(server);
    expect(text).toMatch(/^driftloop_drift_status\{model="pint"\} 1$/m);
    const score = Number(/^driftloop_drift_score\{model="pint"\} (\S+)$/m.exec(text)![1]);
    expect(score).toBeGreaterThanOrEqual(0.15);
    expect(text).toMatch(/^driftloop_drift_threshold\{model="pint"\} 0.15$/m);
    const pending = Number(/^driftloop_queue_pending\{model="pint"\} (\d+)$/m.exec(text)![1]);
    expect(pending).toBe((await server.request('GET', '/v1/models/pint/queue')).body.pending);
    expect(Number(/^driftloop_queue_oldest_pending_seconds\{model="pint"\} (\S+)$/m.exec(text)![1])).toBeGreaterThanOrEqual(0);
  });
});
