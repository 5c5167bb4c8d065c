import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_FRESH_MS, ApiKeysService } from '../../src/auth/api-keys.service.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { systemClock } from '../../src/util/clock.js';
import { ManualClock } from '../support/clock.js';
import { databaseUrlFor } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Another process on the same database: the CLI, or another instance.
describe('keys changed by another process', () => {
  const clock = new ManualClock();
  let server: TestServer;
  let elsewhere: DatabaseHandle;
  let keys: ApiKeysService;

  beforeAll(async () => {
    server = await startTestServer({ clock, env: { DRIFTLOOP_ADMIN_KEY: 'bootstrap-admin-key-0123456789' } });
    elsewhere = await openDatabase({ dataDir: server.dataDir, databaseUrl: await databaseUrlFor(server.dataDir) });
    keys = new ApiKeysService(elsewhere.db, undefined, systemClock);
  });
  afterAll(async () => {
    await elsewhere?.close();
    await server?.stop();
  });

  it('when a key is created elsewhere, then it works at once', async () => {
    const { key } = await keys.create('ingest', 'made-elsewhere');
    expect((await server.request('GET', '/v1/models', undefined, key)).status).toBe(200);
  });

  it('when a key is revoked elsewhere, then this server refuses it once its last answer is AUTH_FRESH_MS old', async () => {
    const { key, info } = await keys.create('ingest', 'revoked-elsewhere');
    expect((await server.request('GET', '/v1/models', undefined, key)).status).toBe(200);
    expect(await keys.revoke(info.id)).toBe(true);
    await clock.advance(AUTH_FRESH_MS);
    expect((await server.request('GET', '/v1/models', undefined, key)).status).toBe(401);
    expect((await server.request('GET', '/v1/models', undefined, key)).status).toBe(401);
  });

  it('when a key is revoked on this server, then it is refused at once', async () => {
    const { key, info } = await keys.create('ingest', 'revoked-here');
    expect((await server.request('GET', '/v1/models', undefined, key)).status).toBe(200);
    expect(await server.driftloop.services.keys.revoke(info.id)).toBe(true);
    expect((await server.request('GET', '/v1/models', undefined, key)).status).toBe(401);
  });

  it('when a key is used again within AUTH_FRESH_MS, then it is not looked up again, and after that it is', async () => {
    const { key } = await keys.create('ingest', 'remembered');
    const served = server.driftloop.services.keys;
    expect((await server.request('GET', '/v1/models', undefined, key)).status).toBe(200);
    // Gone from the table (which nothing does but this test): only a fresh answer can still admit it.
    await elsewhere.db.deleteFrom('api_keys').where('name', '=', 'remembered').execute();
    await clock.advance(AUTH_FRESH_MS - 1);
    expect(await served.verify(key)).toEqual({ role: 'ingest', keyName: 'remembered' });
    await clock.advance(1);
    expect(await served.verify(key)).toBeUndefined();
  });
});
