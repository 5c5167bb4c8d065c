import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCKS } from '../../src/db/dialect.js';
import { claim, ingest, outliers, setupModel, UNSURE } from '../queue/support.js';
import { databaseUrlFor } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A request whose transaction PostgreSQL ends because it met a concurrent one (here a real
 * deadlock, 40P01) answers 503 with Retry-After in the error shape, not 500: the transaction
 * rolled back, so nothing was stored and the client may send it again.
 */
describe('a transaction ended by a deadlock (PostgreSQL)', () => {
  let server: TestServer;
  let holder: pg.Client;
  let modelId = 0;

  beforeAll(async () => {
    server = await startTestServer();
    const f = await setupModel(server, 'locked');
    await ingest(server, 'locked', outliers(f.data, 3).map((embedding, i) => ({ id: `odd-${i}`, embedding, scores: UNSURE })));
    modelId = (await server.driftloop.services.models.get('locked')).id;
    holder = new pg.Client({ connectionString: (await databaseUrlFor(server.dataDir))! });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await server?.stop();
  });

  it('when a label batch deadlocks with another session, then it answers 503 with Retry-After, stores nothing, and succeeds when sent again', async () => {
    const [item] = await claim(server, 'locked', 'ann');
    if (!item) throw new Error('nothing to claim');
    const body = { labels: [{ itemId: item.itemId, labeler: 'ann', concepts: ['lager'] }] };

    // The other session holds the item's row, and only this request's backend looks for the
    // cycle (the server's deadlock_timeout, 1 s by default, against 60 s here): it is the one ended.
    await holder.query('begin');
    await holder.query(`set local deadlock_timeout = '60s'`);
    await holder.query('select id from queue_items where id = $1 for update', [Number(item.itemId)]);
    const labeled = fetch(`${server.url}/v1/models/locked/labels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // The label batch holds the model's queue lock and waits for the row; then the other session
    // asks for that queue lock: a cycle.
    const waitingForRow = async () =>
      Number((await holder.query(`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`)).rows[0].n);
    while ((await waitingForRow()) === 0) await new Promise((resolve) => setImmediate(resolve));
    const cycle = holder.query('select pg_advisory_xact_lock($1, $2)', [LOCKS.queue, modelId]);

    const res = await labeled;
    const answer = (await res.json()) as { error: unknown };
    expect(res.status, JSON.stringify(answer)).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(answer.error).toMatchObject({ code: 'service_unavailable', message: expect.stringContaining('nothing of it was stored') });
    await cycle;
    await holder.query('rollback');

    const stored = await holder.query('select count(*) as n from queue_labels where item_id = $1', [Number(item.itemId)]);
    expect(Number(stored.rows[0].n)).toBe(0);
    const again = await server.request('POST', '/v1/models/locked/labels', body);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.accepted).toBe(1);
  });
});
