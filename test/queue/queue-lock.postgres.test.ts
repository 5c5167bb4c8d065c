import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { lockQueueSeeingNewer } from '../../src/queue/queue.repository.js';
import { holdIngestTransaction } from './held-ingest.js';
import { databaseUrlFor } from '../support/database.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';
import { confident, ingest, outliers, setupModel } from './support.js';

// The server stands for one instance, a second handle on its database for another.
describe('the queue lock with its check for newer items (PostgreSQL)', () => {
  let server: TestServer;
  let other: DatabaseHandle;
  let modelId: number;
  beforeAll(async () => {
    server = await startTestServer();
    const f = await setupModel(server, 'locks');
    await ingest(server, 'locks', outliers(f.data, 5).map((embedding, i) => ({ id: `odd-${i}`, embedding, scores: confident(0) })));
    // In-distribution and confident: stored, not queued, so the other instance can open items for them.
    await ingest(server, 'locks', Array.from({ length: 5 }, (_, i) => ({ id: `plain-${i}`, embedding: f.data.point(0), scores: confident(0) })));
    other = await openDatabase({ dataDir: tempDataDir(), databaseUrl: (await databaseUrlFor(server.dataDir))! });
    modelId = (await other.db.selectFrom('models').select('id').where('name', '=', 'locks').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => {
    await other?.close();
    await server?.stop();
  });

  const newest = async () => Number((await other.db.selectFrom('queue_items').select((eb) => eb.fn.max('id').as('id')).where('model_id', '=', modelId).executeTakeFirstOrThrow()).id);

  it('when another instance commits an item while this one waits for the lock, then the check sees it; with nothing newer it answers false', async () => {
    const before = await newest();
    expect(before).toBeGreaterThan(0);
    const db = server.driftloop.services.database.db;
    expect(await db.transaction().execute((trx) => lockQueueSeeingNewer(trx, modelId, before))).toBe(false);

    const writer = await holdIngestTransaction(other.db, modelId);
    // Asked while the other instance holds the lock with its item not yet committed.
    const checked = db.transaction().execute((trx) => lockQueueSeeingNewer(trx, modelId, before));
    // Released only once the check is queued behind the lock (not granted yet), not after a guessed delay.
    // pg_locks is the whole shared cluster's: another test's waiter must not end this wait.
    const thisDatabase = sql`(select oid from pg_database where datname = current_database())`;
    while (Number((await sql<{ n: number }>`select count(*) as n from pg_locks where locktype = 'advisory' and not granted and database = ${thisDatabase}`.execute(other.db)).rows[0]!.n) === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.commit();
    expect(await checked).toBe(true);
    expect(await newest()).toBeGreaterThan(before);
    expect(await db.transaction().execute(async (trx) => lockQueueSeeingNewer(trx, modelId, await newest()))).toBe(false);
  });
});
