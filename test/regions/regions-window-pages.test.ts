import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confident, ingest, setupModel, type Fixture } from '../queue/support.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('the regions window, read a page at a time', () => {
  let server: TestServer;
  let fx: Fixture;

  beforeAll(async () => {
    server = await startTestServer();
    // 2,300 predictions, a window of 2,150: pages of 1,000, 1,000 and 150, and 150 older predictions left out.
    fx = await setupModel(server, 'pages', { regions: { windowSize: 2150, fitSample: 300, mapSample: 120 } });
    for (let b = 0; b < 23; b++) {
      await ingest(server, 'pages', Array.from({ length: 100 }, (_, i) => ({ id: `p-${b * 100 + i}`, embedding: fx.data.point(i % 3), scores: confident(i % 3) })));
    }
  }, 120_000);
  afterAll(() => server.stop());

  it('when the window spans several reads, then it holds exactly the newest windowSize predictions, each once', async () => {
    const res = await server.request('GET', '/v1/models/pages/regions');
    expect(res.status).toBe(200);
    const regions = res.body.regions as { size: number; examples: string[] }[];
    expect(regions.reduce((s, r) => s + r.size, 0)).toBe(2150);
    // Every example shown comes from the window, never from the 150 oldest predictions.
    const shown = regions.flatMap((r) => r.examples);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((id) => Number(id.slice(2)) >= 150)).toBe(true);
  });
});
