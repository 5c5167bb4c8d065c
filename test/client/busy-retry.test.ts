import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type BusyRetry } from '../../src/client/index.js';
import { startLockableServer, type WriteLock } from '../support/busy-database.js';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import type { TestServer } from '../support/server.js';

const STORED = { sqlite: 'select count(*) as n from predictions where model_id = ?', postgres: 'select count(*) as n from predictions where model_id = $1' };

/**
 * An app forwarding predictions while another connection holds the database's write lock: the
 * server answers 503 with Retry-After (nothing stored), and `driftloop/client` sends the batch
 * again instead of dropping it.
 */
describe('driftloop/client when the database is busy', () => {
  let server: TestServer;
  let lock: WriteLock;
  let seeded: SeededModel;
  let modelId = 0;

  beforeAll(async () => {
    ({ server, lock } = await startLockableServer(['predictions']));
    seeded = await seedModel(server, { dim: 8, examples: 60 });
    modelId = (await server.driftloop.services.models.get(seeded.name)).id;
  });
  afterAll(async () => {
    await lock?.close();
    await server?.stop();
  });

  /** A fetch that records each answer's status and releases the lock once a 503 came back. */
  function releasingFetch(statuses: number[], release: boolean): typeof fetch {
    return async (input, init) => {
      const res = await fetch(input, init);
      statuses.push(res.status);
      if (res.status === 503 && release && statuses.filter((s) => s === 503).length === 1) await lock.release();
      return res;
    };
  }

  it('when a prediction batch is answered 503 with Retry-After, then the client sends it again once the lock is gone and it is stored once', async () => {
    const statuses: number[] = [];
    const retries: BusyRetry[] = [];
    const client = createClient({ baseUrl: server.url, fetch: releasingFetch(statuses, true), retry: { onRetry: (r) => retries.push(r), random: () => 0.5 } });
    const predictions = [0, 1, 2].map((c) => predictionFor(seeded, `busy-${c}`, c));
    await lock.hold();
    const res = await client.rpc.v1.models[':model'].predictions.$post({ param: { model: seeded.name }, json: { predictions } });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(statuses).toEqual([503, 200]);
    expect(retries).toEqual([{ attempt: 1, attempts: 4, waitMs: 1250 }]);
    expect(body).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(await lock.count(STORED, modelId)).toBe(3);
  });

  it('when the database stays busy past the last attempt, then the caller gets the last 503 and nothing is stored', async () => {
    const statuses: number[] = [];
    const client = createClient({ baseUrl: server.url, fetch: releasingFetch(statuses, false), retry: { attempts: 2, maxWaitMs: 0 } });
    const before = await lock.count(STORED, modelId);
    await lock.hold();
    try {
      const res = await client.rpc.v1.models[':model'].predictions.$post({ param: { model: seeded.name }, json: { predictions: [predictionFor(seeded, 'busy-last', 1)] } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(statuses).toEqual([503, 503]);
      expect(await res.json()).toMatchObject({ error: { code: 'service_unavailable' } });
    } finally {
      await lock.release();
    }
    expect(await lock.count(STORED, modelId)).toBe(before);
  });

  it('when retries are turned off, then a 503 comes back after one attempt', async () => {
    const statuses: number[] = [];
    const client = createClient({ baseUrl: server.url, fetch: releasingFetch(statuses, false), retry: false });
    await lock.hold();
    try {
      const res = await client.rpc.v1.models[':model'].predictions.$post({ param: { model: seeded.name }, json: { predictions: [predictionFor(seeded, 'busy-once', 2)] } });
      expect(res.status).toBe(503);
      expect(statuses).toEqual([503]);
    } finally {
      await lock.release();
    }
  });
});
