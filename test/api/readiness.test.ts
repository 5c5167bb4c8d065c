import type { CompiledQuery, KyselyPlugin } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { Readiness } from '../../src/observability/readiness.js';
import { ManualClock } from '../support/clock.js';
import { databaseUrlFor } from '../support/database.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
let database: DatabaseHandle | undefined;
afterEach(async () => {
  await server?.stop();
  await database?.close();
  server = database = undefined;
});

describe('GET /readyz', () => {
  it('when the database answers, then it answers 200 ready, to anyone, with keys in force', async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: 'dl_admin_readiness-api-test-key-0123456789abcdef' } });
    expect(await server.request('GET', '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await server.request('GET', '/v1/models')).status).toBe(401);
  });

  it('when it is asked many times, then the database is asked at most once a second of the clock', async () => {
    const dataDir = tempDataDir();
    database = await openDatabase({ dataDir, databaseUrl: await databaseUrlFor(dataDir) });
    const sent: CompiledQuery[] = [];
    const db = database.db;
    const spy: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        sent.push(db.getExecutor().compileQuery(node, queryId));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const clock = new ManualClock();
    const readiness = new Readiness(db.withPlugin(spy), clock);
    await Promise.all(Array.from({ length: 20 }, () => readiness.check()));
    await readiness.check();
    expect(sent.map((q) => q.sql)).toEqual(['select 1']);
    await clock.advance(999);
    await readiness.check();
    expect(sent).toHaveLength(1);
    await clock.advance(1);
    await readiness.check();
    expect(sent).toHaveLength(2);
    // The probe's timeout timer is gone once it answered.
    expect(clock.pending).toBe(0);
  });
});
