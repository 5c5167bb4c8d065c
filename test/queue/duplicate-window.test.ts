import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, ingest, outliers, setupModel, UNSURE, type Fixture } from './support.js';

/**
 * DRIFTLOOP_DUPLICATE_WINDOW 4: two generations of 2 items. After in-0 … in-4 the previous
 * generation holds in-2 and in-3, the current one in-4; in-0 and in-1 were dropped with the
 * generation before.
 */
describe('the near-duplicate window', () => {
  const env = { DRIFTLOOP_DUPLICATE_WINDOW: '4' };
  let server: TestServer;
  let f: Fixture;
  let inputs: number[][];
  const near = (v: number[]) => v.map((x) => x * 1.0001);
  const modelDir = () => {
    const base = path.join(server.dataDir, 'indexes');
    return path.join(base, fs.readdirSync(base).find((d) => d.startsWith('model-'))!);
  };
  beforeAll(async () => {
    server = await startTestServer({ env });
    f = await setupModel(server, 'win', { queue: { uncertaintyThreshold: 0 } });
    inputs = outliers(f.data, 5);
  });
  afterAll(() => server.stop());

  it('when more items than the window are queued, then a near-copy of an item in the previous generation adds weight and one of an older item opens an item', async () => {
    const first = await ingest(server, 'win', inputs.map((e, i) => ({ id: `in-${i}`, embedding: e, scores: UNSURE })));
    expect(first.every((r) => r.queued)).toBe(true);
    const again = await ingest(server, 'win', [
      { id: 'in-2-copy', embedding: near(inputs[2]!), scores: UNSURE },
      { id: 'in-0-copy', embedding: near(inputs[0]!), scores: UNSURE },
      { id: 'in-4-copy', embedding: near(inputs[4]!), scores: UNSURE },
    ]);
    // in-0-copy opened the sixth item: the current generation now holds in-4 and in-0-copy.
    expect(again.map((r) => r.queued)).toEqual([false, true, false]);
  });

  it('when the service restarts, then both generations are loaded from their files and keep deciding the same', async () => {
    await server.stop();
    const state = JSON.parse(fs.readFileSync(path.join(modelDir(), 'production.json'), 'utf8')) as { generations: { count: number }[] };
    expect(state.generations.map((g) => g.count)).toEqual([2, 2]);
    server = await startTestServer({ dataDir: server.dataDir, env });
    // in-3 is in the previous generation, in-1 in none; in-1-copy then starts a generation and in-2, in-3 go.
    const after = await ingest(server, 'win', [
      { id: 'in-3-copy', embedding: near(inputs[3]!), scores: UNSURE },
      { id: 'in-1-copy', embedding: near(inputs[1]!), scores: UNSURE },
    ]);
    expect(after.map((r) => r.queued)).toEqual([false, true]);
    const later = await ingest(server, 'win', [{ id: 'in-3-copy-2', embedding: near(inputs[3]!), scores: UNSURE }]);
    expect(later.map((r) => r.queued)).toEqual([true]);
  });

  it('when the saved previous generation is the current one (a kill between two renames), then the index is rebuilt from the database', async () => {
    // Now: previous generation in-4, in-0-copy; current in-1-copy, in-3-copy-2.
    await server.stop();
    const dir = modelDir();
    for (const suffix of ['', '.sha256']) fs.copyFileSync(path.join(dir, `production.hnsw${suffix}`), path.join(dir, `production.previous.hnsw${suffix}`));
    server = await startTestServer({ dataDir: server.dataDir, env });
    // Taken as saved, the copied files would hold only in-1-copy and in-3-copy-2: in-4 would be forgotten.
    const after = await ingest(server, 'win', [{ id: 'in-4-copy-2', embedding: near(inputs[4]!), scores: UNSURE }]);
    expect(after.map((r) => r.queued)).toEqual([false]);
    const items = await claim(server, 'win', 'ann', 100);
    const weights = Object.fromEntries(items.map((i) => [i.predictionId, i.weight]));
    expect(weights).toMatchObject({ 'in-0': 1, 'in-1': 1, 'in-2': 2, 'in-3': 2, 'in-4': 3, 'in-0-copy': 1, 'in-1-copy': 1, 'in-3-copy-2': 1 });
  });

  it('when the index files are gone, then the rebuild from the database holds the same generations', async () => {
    await server.stop();
    fs.rmSync(path.join(server.dataDir, 'indexes'), { recursive: true });
    server = await startTestServer({ dataDir: server.dataDir, env });
    const after = await ingest(server, 'win', [
      { id: 'in-0-copy-2', embedding: near(inputs[0]!), scores: UNSURE },
      { id: 'in-2-copy-2', embedding: near(inputs[2]!), scores: UNSURE },
    ]);
    // in-0-copy is in the previous generation; in-2 and in-2-copy… in-2 went with an older one.
    expect(after.map((r) => r.queued)).toEqual([false, true]);
  });
});
