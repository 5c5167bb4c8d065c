import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { AUTH_FRESH_MS, ApiKeysService } from '../../src/auth/api-keys.service.js';
import { StartupRefusedError } from '../../src/auth/open-mode.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { systemClock } from '../../src/util/clock.js';
import { ManualClock } from '../support/clock.js';
import { startTestServer, tempDataDir } from '../support/server.js';

/** The CLI's view of the data folder: a second connection, as `driftloop keys` opens it. */
async function cliKeys<T>(dataDir: string, fn: (keys: ApiKeysService) => Promise<T>): Promise<T> {
  const database = await openDatabase({ dataDir, databaseUrl: undefined });
  try {
    return await fn(new ApiKeysService(database.db, undefined, systemClock));
  } finally {
    await database.close();
  }
}

async function get(url: string, path = '/v1/models') {
  return (await fetch(url + path)).status;
}

describe('open mode', () => {
  it('when a key is created by the CLI while the server runs open, then unauthenticated requests are refused once its last answer is AUTH_FRESH_MS old', async () => {
    const clock = new ManualClock();
    const server = await startTestServer({ clock });
    expect(await get(server.url)).toBe(200);
    await cliKeys(server.dataDir, (k) => k.create('admin', 'owner'));
    await clock.advance(AUTH_FRESH_MS);
    expect(await get(server.url)).toBe(401);
    await server.stop();
  });

  it('when a key is created during a request, then that request keeps its answer and the next one past AUTH_FRESH_MS is refused', async () => {
    const clock = new ManualClock();
    const server = await startTestServer({ clock });
    const keys = server.driftloop.services.keys;
    const during = {};
    await clock.advance(AUTH_FRESH_MS);
    expect(await keys.isOpen(during)).toBe(true);
    await cliKeys(server.dataDir, (k) => k.create('admin', 'owner'));
    expect(await keys.isOpen(during)).toBe(true);
    await clock.advance(AUTH_FRESH_MS);
    expect(await keys.isOpen({})).toBe(false);
    expect(await get(server.url)).toBe(401);
    await server.stop();
  });

  it('when the last key is revoked while the server runs, then it stays closed, and after a restart too', async () => {
    const clock = new ManualClock();
    const server = await startTestServer({ clock });
    const { info } = await cliKeys(server.dataDir, (k) => k.create('admin', 'owner'));
    expect(await cliKeys(server.dataDir, (k) => k.revoke(info.id))).toBe(true);
    await clock.advance(AUTH_FRESH_MS);
    expect(await get(server.url)).toBe(401);
    await server.stop();
    const again = await startTestServer({ dataDir: server.dataDir });
    expect(await get(again.url)).toBe(401);
    expect(await again.driftloop.services.keys.isOpen()).toBe(false);
    await again.stop();
  });

  it('when bound to ::ffff:127.0.0.1 with one key that is then revoked, then requests without a key are still refused', async () => {
    const dataDir = tempDataDir();
    const { info } = await cliKeys(dataDir, (k) => k.create('admin', 'owner'));
    const app = await createApp(loadConfig({ PORT: '0', HOST: '::ffff:127.0.0.1', DRIFTLOOP_DATA_DIR: dataDir }), pino({ level: 'silent' }));
    const { port } = await app.start();
    await cliKeys(dataDir, (k) => k.revoke(info.id));
    expect(await get(`http://127.0.0.1:${port}`)).toBe(401);
    const put = await fetch(`http://127.0.0.1:${port}/v1/models/m`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(put.status).toBe(401);
    await app.stop();
  });

  it('when HOST is ::ffff:127.0.0.1 and no key was ever created, then the server refuses to start with one reason', async () => {
    const config = loadConfig({ PORT: '0', HOST: '::ffff:127.0.0.1', DRIFTLOOP_DATA_DIR: tempDataDir() });
    await expect(createApp(config, pino({ level: 'silent' }))).rejects.toThrow(StartupRefusedError);
  });

  it('when the server ran with the bootstrap key once, then it does not run open without it', async () => {
    const server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: 'bootstrap-admin-key-0123456789' } });
    await server.stop();
    const again = await startTestServer({ dataDir: server.dataDir });
    expect(await get(again.url)).toBe(401);
    await again.stop();
  });
});
