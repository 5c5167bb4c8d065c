import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrlFor } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { untilCount } from '../support/until-count.js';
import { ingest, outliers, setupModel, UNSURE } from './support.js';

/**
 * A claim that finds every candidate row-locked waits for one (docs/queue.md, "Lock order on
 * PostgreSQL"), and for one only: it then holds a row, and a claim holding a row must not wait
 * for another. Until migration 0030 it waited for up to `limit` candidates in one statement:
 * having taken the first, it waited for the second while holding the first, and a transaction
 * holding the second that wanted the first (a drift boost raising items in its own order, or a
 * claim whose snapshot ranked them the other way) closed a cycle. PostgreSQL broke it with a 503
 * to one of 20 concurrent claims (CI run 19 of stop 38, test/queue/leases.test.ts).
 *
 * Here two connections of the test stand for those transactions: `first` holds the best
 * candidate, `second` the next; the claim waits for the best; `first` lets go; then `second`
 * asks for the best item, which the claim took.
 */
describe('a claim that waits for a locked candidate (PostgreSQL)', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer();
    url = (await databaseUrlFor(server.dataDir))!;
  });
  afterAll(() => server?.stop());

  it('when it has taken the first locked candidate, then it waits for no second one, so a transaction holding the second can take the first after it', async () => {
    const f = await setupModel(server, 'waits');
    const results = await ingest(server, 'waits', outliers(f.data, 2).map((embedding, i) => ({ id: `p-${i}`, embedding, scores: UNSURE })));
    expect(results.filter((r) => r.queued)).toHaveLength(2);
    const first = new pg.Client({ connectionString: url });
    const second = new pg.Client({ connectionString: url });
    await Promise.all([first.connect(), second.connect()]);
    try {
      const best = (await first.query(`select i.id from queue_items i join models m on m.id = i.model_id where m.name = 'waits' order by i.priority desc, i.id`)).rows.map((r) => Number(r.id));
      expect(best).toHaveLength(2);
      const [a, b] = best as [number, number];
      const secondPid = Number((await second.query('select pg_backend_pid() as pid')).rows[0].pid);
      await first.query('begin');
      await first.query('select id from queue_items where id = $1 for update', [a]);
      await second.query('begin');
      await second.query('select id from queue_items where id = $1 for update', [b]);

      const claim = server.request('POST', '/v1/models/waits/queue/claim', { labeler: 'ann', limit: 2 });
      let answered = false;
      void claim.then(() => (answered = true));
      /** Backends of this database the connection `pid` keeps waiting. */
      const blockedBy = async (pid: number) =>
        Number((await first.query(`select count(*) as n from pg_stat_activity where datname = current_database() and $1 = any(pg_blocking_pids(pid))`, [pid])).rows[0].n);
      const firstPid = Number((await first.query('select pg_backend_pid() as pid')).rows[0].pid);
      // The claim passed over both, found nothing free, and waits for the best one.
      expect(await untilCount(() => blockedBy(firstPid), 1)).toBe(1);
      await first.query('commit');
      // Either the claim answers, or (as before migration 0030) it took `a` and waits for `b`.
      await untilCount(async () => (answered ? 1 : await blockedBy(secondPid)), 1);
      const taken = await second.query('select id from queue_items where id = $1 for update', [a]).then(
        () => 'locked',
        (err: Error) => err.message,
      );
      await second.query('commit');
      const res = await claim;
      expect([res.status, taken], JSON.stringify(res.body)).toEqual([200, 'locked']);
      // It took the best item; the second was locked when it looked past it.
      expect(res.body.items.map((i: { itemId: string }) => Number(i.itemId))).toEqual([a]);
      // Nothing is locked now: the next claim renews `a` and takes `b`.
      const again = await server.request('POST', '/v1/models/waits/queue/claim', { labeler: 'ann', limit: 2 });
      expect(again.body.items.map((i: { itemId: string }) => Number(i.itemId))).toEqual([a, b]);
    } finally {
      await Promise.allSettled([first.end(), second.end()]);
    }
  });
});
