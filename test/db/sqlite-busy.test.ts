import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, ingest, outliers, setupModel, UNSURE } from '../queue/support.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Another process holding the SQLite file's write lock (an operator's sqlite3 shell, a backup
 * tool): a write request that cannot get it (SQLITE_BUSY, at once or after the 5 s busy timeout)
 * answers 503 with Retry-After in the error shape, not 500, stores nothing, and goes through once
 * the lock is released.
 */
describe('the SQLite file locked by another process', () => {
  let server: TestServer;
  let other: SQLite.Database;

  beforeAll(async () => {
    server = await startTestServer();
    const f = await setupModel(server, 'busy');
    await ingest(server, 'busy', outliers(f.data, 3).map((embedding, i) => ({ id: `odd-${i}`, embedding, scores: UNSURE })));
    other = new SQLite(path.join(server.dataDir, 'driftloop.sqlite'));
  });
  afterAll(async () => {
    other?.close();
    await server?.stop();
  });

  it('when a label batch cannot get the write lock, then it answers 503 with Retry-After, stores nothing, and succeeds when sent again', async () => {
    const [item] = await claim(server, 'busy', 'ann');
    if (!item) throw new Error('nothing to claim');
    const body = { labels: [{ itemId: item.itemId, labeler: 'ann', concepts: ['lager'] }] };
    other.exec('begin immediate');
    const res = await fetch(`${server.url}/v1/models/busy/labels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = (await res.json()) as { error: unknown };
    other.exec('rollback');
    expect(res.status, JSON.stringify(answer)).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(answer.error).toMatchObject({ code: 'service_unavailable', message: expect.stringContaining('nothing of it was stored') });
    expect(other.prepare('select count(*) as n from queue_labels where item_id = ?').get(Number(item.itemId))).toEqual({ n: 0 });

    const again = await server.request('POST', '/v1/models/busy/labels', body);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.accepted).toBe(1);
  });
});
