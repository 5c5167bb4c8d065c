import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HnswIndex } from '../../src/vectors/hnsw-index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, ingest, outliers, setupModel, UNSURE, type Fixture } from './support.js';

describe('an HNSW index with a window', () => {
  const params = { m: 12, efConstruction: 48, efSearch: 48, window: 3 };
  const unit = (i: number) => Array.from({ length: 8 }, (_, d) => (d === i ? 1 : 0.01));

  it('when more points than the window arrive, then it keeps the newest, across a save and a load', () => {
    const index = HnswIndex.create('cosine', 8, params);
    for (let i = 1; i <= 5; i++) index.add(i, unit(i));
    expect(index.size).toBe(3);
    expect([1, 2, 3, 4, 5].map((l) => index.has(l))).toEqual([false, false, true, true, true]);
    expect(index.search(unit(1), 3).labels.sort()).toEqual([3, 4, 5]);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-window-')), 'w.hnsw');
    index.save(file);
    const loaded = HnswIndex.load(file, 'cosine', 8, params)!;
    loaded.add(6, unit(6));
    expect(loaded.size).toBe(3);
    expect(loaded.search(unit(6), 3).labels.sort()).toEqual([4, 5, 6]);
    expect(loaded.search(unit(6), 1).labels).toEqual([6]);
  });
});

describe('the near-duplicate window', () => {
  let server: TestServer;
  let f: Fixture;
  const near = (v: number[]) => v.map((x) => x * 1.0001);
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_DUPLICATE_WINDOW: '3' } });
    f = await setupModel(server, 'win', { queue: { uncertaintyThreshold: 0 } });
  });
  afterAll(() => server.stop());

  it('when more items than the window are queued, then a near-copy of an old one opens an item and one of a recent one adds weight, also after a rebuild', async () => {
    const inputs = outliers(f.data, 6);
    const first = await ingest(server, 'win', inputs.slice(0, 5).map((e, i) => ({ id: `in-${i}`, embedding: e, scores: UNSURE })));
    expect(first.every((r) => r.queued)).toBe(true);
    const again = await ingest(server, 'win', [
      { id: 'old-copy', embedding: near(inputs[0]!), scores: UNSURE },
      { id: 'new-copy', embedding: near(inputs[4]!), scores: UNSURE },
    ]);
    expect(again.map((r) => r.queued)).toEqual([true, false]);

    // Rebuilt from the database, the index holds the newest three items again: in-3, in-4, old-copy.
    await server.stop();
    fs.rmSync(path.join(server.dataDir, 'indexes'), { recursive: true });
    server = await startTestServer({ dataDir: server.dataDir, env: { DRIFTLOOP_DUPLICATE_WINDOW: '3' } });
    // in-3 first: the item in-2-copy opens pushes in-3 out of the window.
    const rebuilt = await ingest(server, 'win', [
      { id: 'in-3-copy', embedding: near(inputs[3]!), scores: UNSURE },
      { id: 'in-2-copy', embedding: near(inputs[2]!), scores: UNSURE },
    ]);
    expect(rebuilt.map((r) => r.queued)).toEqual([false, true]);
    const items = await claim(server, 'win', 'ann', 100);
    const weights = Object.fromEntries(items.map((i) => [i.predictionId, i.weight]));
    expect(weights).toMatchObject({ 'in-0': 1, 'in-3': 2, 'in-4': 2, 'old-copy': 1, 'in-2-copy': 1 });
  });
});
