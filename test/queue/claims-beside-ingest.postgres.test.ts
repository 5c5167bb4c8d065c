import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCKS } from '../../src/db/dialect.js';
import { labelerLockKey } from '../../src/queue/leases.repository.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { databaseUrlFor } from '../support/database.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';
import { holdIngestTransaction, holdTransaction } from './held-ingest.js';
import { lockQueue } from '../../src/queue/queue.repository.js';
import type { Db } from '../../src/db/database.js';
import { claim, confident, ingest, label, outliers, setupModel, UNSURE } from './support.js';

// The server stands for one instance, a second handle on its database for another.
describe('claims beside ingest (PostgreSQL)', () => {
  let server: TestServer;
  let other: DatabaseHandle;
  beforeAll(async () => {
    server = await startTestServer();
    other = await openDatabase({ dataDir: tempDataDir(), databaseUrl: (await databaseUrlFor(server.dataDir))! });
  });
  afterAll(async () => {
    await other?.close();
    await server?.stop();
  });

  const modelId = async (name: string) => (await other.db.selectFrom('models').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;

  /** Counts by status and open reason from the kept counts and from a full recount of the items. */
  async function keptAndRecounted(model: number) {
    // The kept counts are queue_counts plus the deltas not compacted into them yet (migration 0023).
    const summed = await sql<{ name: string; n: number }>`
      select name, sum(n) as n from (select name, n from queue_counts where model_id = ${model}
        union all select name, n from queue_count_deltas where model_id = ${model}) c group by name`.execute(other.db);
    const kept = Object.fromEntries(summed.rows.filter((r) => Number(r.n) !== 0).map((r) => [r.name, Number(r.n)]));
    const { rows } = await sql<{ name: string; n: number }>`
      select 'status:' || status as name, count(*) as n from queue_items where model_id = ${model} group by status
      union all
      select 'open:' || r, count(*) from queue_items, json_array_elements_text(reasons_json::json) r
        where model_id = ${model} and status in ('pending', 'leased') group by r
      union all
      select 'open:drift', count(*) from queue_items where model_id = ${model} and status in ('pending', 'leased') and drift_boost > 0`.execute(other.db);
    const recounted = Object.fromEntries(rows.filter((r) => Number(r.n) !== 0).map((r) => [r.name, Number(r.n)]));
    return { kept, recounted };
  }

  it('when another instance holds the queue lock with items inserted and not committed, then a claim completes meanwhile, and the counts hold both', async () => {
    const f = await setupModel(server, 'beside');
    await ingest(server, 'beside', outliers(f.data, 3).map((embedding, i) => ({ id: `odd-${i}`, embedding, scores: confident(0) })));
    await ingest(server, 'beside', [{ id: 'plain', embedding: f.data.point(0), scores: confident(0) }]);
    const model = await modelId('beside');
    // What an ingest transaction does: the queue lock, then an item inserted, held to its commit.
    const writer = await holdIngestTransaction(other.db, model);
    // Would wait for the writer's commit (and this test time out) if claims took the queue lock or the count rows.
    const items = await claim(server, 'beside', 'ann', 2);
    expect(items).toHaveLength(2);
    await writer.commit();
    const { kept, recounted } = await keptAndRecounted(model);
    expect(kept).toEqual(recounted);
    expect(kept).toMatchObject({ 'status:pending': 2, 'status:leased': 2, 'open:ood': 4 });
  });

  it('when another transaction holds every pending item row (a drift boost in flight), then a claim waits for it and takes them instead of answering empty', async () => {
    const f = await setupModel(server, 'boosted');
    await ingest(server, 'boosted', outliers(f.data, 3).map((embedding, i) => ({ id: `odd-${i}`, embedding, scores: confident(0) })));
    const model = await modelId('boosted');
    // What a drift boost does (QueueService.boostRecentOod): the queue lock, then every open OOD item updated, held to its commit.
    const booster = await holdTransaction(other.db, async (trx) => {
      await lockQueue(trx, model);
      await sql`update queue_items set drift_boost = 1, priority = priority + 1 where model_id = ${model} and status = 'pending'`.execute(trx);
    });
    const claimed = claim(server, 'boosted', 'ann', 5);
    // Observed, not timed: the claim's backend waits for a row lock, or the claim answered first (the failure).
    const first = await Promise.race([claimed.then(() => 'answered' as const), untilWaitingForRow(other.db).then(() => 'waiting' as const)]);
    await booster.release();
    expect(first).toBe('waiting');
    const items = await claimed;
    expect(items.map((i) => i.predictionId).sort()).toEqual(['odd-0', 'odd-1', 'odd-2']);
  });

  it('when a claim waits for its labeler\'s lock while another instance commits an item, then it hands out that item with its prediction\'s details, in one round trip', async () => {
    const f = await setupModel(server, 'late');
    await ingest(server, 'late', [{ id: 'plain', embedding: f.data.point(0), scores: confident(0) }]);
    const model = await modelId('late');
    // Another claim of the same labeler in flight: it holds the labeler's lock.
    const claimer = await holdTransaction(other.db, async (trx) => {
      await sql`select pg_advisory_xact_lock(${LOCKS.labeler}, ${labelerLockKey(model, 'ann')})`.execute(trx);
    });
    const queries = vi.spyOn(pg.Client.prototype, 'query');
    try {
      const claimed = claim(server, 'late', 'ann', 1);
      // The claim's statement began (and took its snapshot) before the item below commits.
      await untilWaiting(other.db, 'advisory');
      const writer = await holdIngestTransaction(other.db, model);
      await writer.commit();
      await claimer.release();
      const [item] = await claimed;
      expect(item).toMatchObject({ predictionId: 'plain', scores: confident(0), predicted: 'lager', reasons: ['ood'] });
      expect(item!.neighbors.length).toBeGreaterThan(0);
      expect(item!.neighbors.every((n) => n.concepts.length > 0 && !/^\d+$/.test(n.id))).toBe(true);
      // The claim and both details reads were one query of the service. Only the claim names
      // queue_claim; the test's own statements and the service's background reads (index
      // catch-up, drift) may read predictions and examples in the same window, so they are not counted.
      const sent = queries.mock.calls.map((call) => JSON.stringify(call));
      const mine = sent.filter((text) => text.includes('queue_claim'));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toContain('queue_claim_predictions');
      expect(mine[0]).toContain('queue_claim_examples');
    } finally {
      queries.mockRestore();
    }
  });

  it('when a claimed prediction\'s stored distance is not finite, then the one-trip claim answers it as a row read alone would (JSON null)', async () => {
    const f = await setupModel(server, 'infinite');
    await ingest(server, 'infinite', outliers(f.data, 1).map((embedding) => ({ id: 'far', embedding, scores: confident(0) })));
    await sql`update predictions set ood_distance = 'Infinity'::float8, uncertainty = 'NaN'::float8 where id = 'far'`.execute(other.db);
    const [item] = await claim(server, 'infinite', 'ann', 1);
    expect(item).toMatchObject({ predictionId: 'far', ood: { distance: null }, uncertainty: null });
  });

  it('when labelers claim and label while batches are ingested, all at once, then no item is leased twice and the kept counts equal a full recount', async () => {
    const f = await setupModel(server, 'busy', { queue: { labelsPerItem: 1 } });
    await ingest(server, 'busy', outliers(f.data, 40).map((embedding, i) => ({ id: `seed-${i}`, embedding, scores: UNSURE })));
    const model = await modelId('busy');
    const labelers = Array.from({ length: 12 }, (_, i) => `labeler-${i}`);
    const work = [
      ...Array.from({ length: 6 }, (_, b) => ingest(server, 'busy', outliers(f.data, 10).map((embedding, i) => ({ id: `b${b}-${i}`, embedding, scores: UNSURE })))),
      ...labelers.map(async (labeler) => {
        const items = await claim(server, 'busy', labeler, 3);
        const answered = items.slice(0, 2).map((item, i) => ({ itemId: item.itemId, labeler, ...(i === 0 ? { concepts: ['lager'] } : { concepts: [], skip: true }) }));
        if (answered.length > 0) expect((await label(server, 'busy', answered)).status).toBe(200);
        return claim(server, 'busy', labeler, 2);
      }),
    ];
    await Promise.all(work);
    const shared = await sql<{ item_id: number }>`select item_id from queue_leases where model_id = ${model} group by item_id having count(*) > 1`.execute(other.db);
    expect(shared.rows).toEqual([]);
    const { kept, recounted } = await keptAndRecounted(model);
    expect(kept).toEqual(recounted);
    expect(kept['status:labeled']).toBeGreaterThan(0);
    expect(kept['status:leased']).toBeGreaterThan(0);
  });
});

/** Resolves once a backend of this database waits for a row (a transaction id lock). */
function untilWaitingForRow(db: Db): Promise<void> {
  return untilWaiting(db, 'transactionid');
}

/** Resolves once a backend of this database waits for a lock of the given type. */
async function untilWaiting(db: Db, locktype: 'transactionid' | 'advisory'): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where not l.granted and l.locktype = ${locktype} and a.datname = current_database()`.execute(db);
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
