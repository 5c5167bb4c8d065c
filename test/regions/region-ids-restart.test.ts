import { afterAll, expect, it } from 'vitest';
import { ClusteredData } from '../support/clustered-data.js';
import { confident, ingest, setupModel } from '../queue/support.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';

const novel = new ClusteredData({ dim: 16, clusters: 1, spread: 0.15, seed: 99 });
const dataDir = tempDataDir();
let server: TestServer | undefined;
afterAll(() => server?.stop());

const regions = async (on: TestServer) => (await on.request('GET', '/v1/models/pint/regions')).body.regions as { id: number; size: number; examples: string[] }[];

it('when the service restarts, then a region keeps the id it had: the ids are stored, not kept in memory', async () => {
  server = await startTestServer({ dataDir });
  const fx = await setupModel(server, 'pint', { regions: { fitSample: 300, mapSample: 120 } });
  await ingest(server, 'pint', Array.from({ length: 90 }, (_, i) => ({ id: `k-${i}`, embedding: fx.data.point(i % 3), scores: confident(i % 3) })));
  const fresh = Array.from({ length: 60 }, (_, i) => ({ id: `n-${i}`, embedding: novel.point(0), scores: { lager: 0.4, stout: 0.35, ipa: 0.25 } }));
  await ingest(server, 'pint', fresh.slice(0, 30));
  const before = await regions(server);
  const newRegion = before.find((r) => r.examples.every((id) => id.startsWith('n-')))!;
  await ingest(server, 'pint', fresh.slice(30));
  await server.stop();
  server = await startTestServer({ dataDir });
  // The first clustering after the restart: of a window this process never clustered.
  const after = await regions(server);
  expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
  expect(after[0]!.size).toBe(60);
  expect(after[0]!.id).toBe(newRegion.id);
});
