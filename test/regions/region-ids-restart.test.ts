import { afterAll, expect, it } from 'vitest';
import { ingest, setupModel } from '../queue/support.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';
import { listRegions as regions, regionWindow } from './support.js';

const dataDir = tempDataDir();
let server: TestServer | undefined;
afterAll(() => server?.stop());

it('when the service restarts, then a region keeps the id it had: the ids are stored, not kept in memory', async () => {
  server = await startTestServer({ dataDir });
  const fx = await setupModel(server, 'pint', { regions: { fitSample: 300, mapSample: 120 } });
  const { known, fresh } = regionWindow(fx);
  await ingest(server, 'pint', known);
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
