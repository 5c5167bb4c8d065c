import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONCEPTS, CONCEPT_IDS, claim, confident, ingest, label, outliers, setupModel, UNSURE, type Fixture } from '../queue/support.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * On SQLite every transaction runs on the one connection kysely serialises everything on: a
 * transaction that awaits anything but the database (a search thread, a lock of a derived index,
 * a timer) makes every claim and ingest batch wait that long, while the event loop stays idle.
 * So no transaction may outlive a turn of the event loop: a check that runs at every turn never
 * finds one open.
 */
describe('SQLite transactions under ingest, claims, labels and drift evaluation', () => {
  let server: TestServer;
  let f: Fixture;
  beforeAll(async () => {
    server = await startTestServer();
    f = await setupModel(server, 'turns', { drift: { evaluateEvery: 10, evaluateAfterSeconds: 1, minIntervalSeconds: 0 } });
  });
  afterAll(() => server.stop());

  it('when every kind of request runs at once, then no transaction is open when the event loop turns', async () => {
    const sqlite = server.driftloop.services.database.sqlite!;
    let turns = 0;
    let spanning = 0;
    let watching = true;
    const watch = () => {
      turns++;
      if (sqlite.inTransaction) spanning++;
      if (watching) setImmediate(watch);
    };
    setImmediate(watch);
    const batch = (n: number) => [
      // New items, near-duplicates of each other and of earlier batches' items, and confident in-distribution ones.
      ...outliers(f.data, 4).map((embedding, i) => ({ id: `far-${n}-${i}`, embedding, scores: UNSURE })),
      ...Array.from({ length: 4 }, (_, i) => ({ id: `dup-${n}-${i}`, embedding: f.data.point(i % 3).map((x) => x + 1e-4 * n), scores: UNSURE })),
      ...Array.from({ length: 4 }, (_, i) => ({ id: `sure-${n}-${i}`, embedding: f.data.point(i % 3), scores: confident(i % 3) })),
    ];
    const labeler = async (n: number) => {
      for (const item of await claim(server, 'turns', `labeler-${n}`, 2)) {
        expect((await label(server, 'turns', [{ itemId: item.itemId, labeler: `labeler-${n}`, concepts: [CONCEPT_IDS[n % 3]] }])).status).toBe(200);
      }
    };
    const ok = async (answer: Promise<{ status: number }>) => expect((await answer).status).toBe(200);
    for (let round = 0; round < 4; round++) {
      await Promise.all([
        ingest(server, 'turns', batch(2 * round)),
        ingest(server, 'turns', batch(2 * round + 1)),
        labeler(round),
        ok(server.request('GET', '/v1/models/turns/drift')),
        ok(server.request('GET', '/metrics')),
        ok(server.request('PUT', '/v1/models/turns', { task: 'multiclass', embeddingDim: 16, concepts: CONCEPTS, settings: { queue: { labelsPerItem: 1 + (round % 2) } } })),
      ]);
    }
    await server.driftloop.services.drift.stop();
    watching = false;
    expect(turns).toBeGreaterThan(100);
    expect(spanning).toBe(0);
  });
});
