import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { DatabaseUnavailableError } from '../../src/errors.js';
import { Readiness } from '../../src/observability/readiness.js';
import { confident, setupModel, type Fixture } from '../queue/support.js';
import { ManualClock } from '../support/clock.js';
import { createDatabase } from '../support/database.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('PostgreSQL failures', () => {
  let url: string;
  let proxy: TcpProxy;
  let server: TestServer;
  let fixture: Fixture;

  beforeAll(async () => {
    url = await createDatabase();
    const direct = new URL(url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
    const proxied = new URL(url);
    proxied.port = String(proxy.port);
    server = await startTestServer({ dataDir: tempDataDir(), env: { DRIFTLOOP_DATABASE_URL: proxied.toString() } });
    fixture = await setupModel(server, 'lost');
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
  });

  const batch = (prefix: string) =>
    Array.from({ length: 50 }, (_, i) => ({ id: `${prefix}-${i}`, embedding: fixture.data.point(i % 3), scores: confident(i % 3) }));
  const storedIds = async (prefix: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('select count(*) as n from predictions where id like $1', [`${prefix}-%`]);
      return Number(rows[0]!.n);
    } finally {
      await client.end();
    }
  };

  it('when the database is lost while running, then requests answer 503 database_unavailable, nothing is stored, and the service recovers when it returns', async () => {
    proxy.cut();
    const lost = await server.request('POST', '/v1/models/lost/predictions', { predictions: batch('p') });
    expect(lost.status).toBe(503);
    expect(lost.body.error.code).toBe('database_unavailable');
    expect((await server.request('GET', '/v1/models/lost/queue')).status).toBe(503);
    expect(await storedIds('p')).toBe(0);
    // Liveness stays up, even in open mode, whose Host check asks the database.
    expect(await server.request('GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });

    proxy.restore();
    const back = await server.request('POST', '/v1/models/lost/predictions', { predictions: batch('p') });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body).toMatchObject({ accepted: 50, duplicates: 0 });
    expect(await storedIds('p')).toBe(50);
  });

  it('when more requests arrive than the pool has connections, then they wait their turn and all succeed', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => server.request('POST', '/v1/models/lost/queue/claim', { labeler: `l${i}`, limit: 1 })),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  });

  it('when DRIFTLOOP_DATABASE_URL names a server that does not answer, then start fails with one line naming the host, and a non-zero exit', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'main.ts')], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DRIFTLOOP_DATA_DIR: tempDataDir(), DRIFTLOOP_DATABASE_URL: 'postgres://ops:hunter2@127.0.0.1:1/driftloop' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('127.0.0.1:1/driftloop');
    expect(lines[0]).not.toContain('hunter2');
  });
});

// A load balancer stops routing to an instance whose database is gone (`GET /readyz`), while its
// orchestrator, asking `GET /healthz`, does not restart a process that only waits for the database.
describe('readiness when PostgreSQL is lost', () => {
  let proxy: TcpProxy;
  let proxied: string;
  let server: TestServer;
  let database: DatabaseHandle;
  const clock = new ManualClock();

  beforeAll(async () => {
    const direct = new URL(await createDatabase());
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
    direct.port = String(proxy.port);
    proxied = direct.toString();
    // With a key in force, as in production: in open mode every request asks the database whether a key was created meanwhile.
    server = await startTestServer({ dataDir: tempDataDir(), env: { DRIFTLOOP_DATABASE_URL: proxied, DRIFTLOOP_ADMIN_KEY: 'dl_admin_readiness-test-key-0123456789abcdef' }, clock });
    database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: proxied });
  });
  afterAll(async () => {
    await database?.close();
    await server?.stop();
    await proxy?.close();
  });

  it('when the database refuses connections, then /readyz answers 503 database_unavailable and /healthz 200; once it is back, /readyz answers 200', async () => {
    expect(await server.request('GET', '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    await clock.advance(1_000);
    proxy.cut();
    try {
      const lost = await server.request('GET', '/readyz');
      expect(lost.status).toBe(503);
      expect(lost.body.error.code).toBe('database_unavailable');
      expect((await server.request('GET', '/healthz')).status).toBe(200);
    } finally {
      proxy.restore();
    }
    // One probe a second: the answer stands until the server's clock moves on.
    expect((await server.request('GET', '/readyz')).status).toBe(503);
    expect(await readyWithin(5, () => server.request('GET', '/readyz').then((r) => r.status === 200), clock)).toBe(true);
  });

  it('when the database stops answering without refusing (a partition), then the probe gives up after 2 s of the clock', async () => {
    const own = new ManualClock();
    const readiness = new Readiness(database.db, own);
    expect(await readyWithin(5, () => readiness.check().then(() => true, () => false), own)).toBe(true);
    await own.advance(1_000);
    proxy.stall();
    const probe = readiness.check().then(
      () => 'ready',
      (err: unknown) => err,
    );
    // The probe's own timer is the only one on this clock.
    while (own.pending === 0) await new Promise((resolve) => setImmediate(resolve));
    await own.advance(1_999);
    expect(own.pending).toBe(1);
    await own.advance(1);
    const refused = await probe;
    expect(refused).toBeInstanceOf(DatabaseUnavailableError);
    expect((refused as Error).message).toMatch(/did not answer within 2000 ms/);
    // The stalled connections are lost for good: drop them, then a fresh one answers.
    proxy.cut();
    proxy.restore();
    expect(await readyWithin(5, () => readiness.check().then(() => true, () => false), own)).toBe(true);
  });
});

/**
 * Whether `ready` holds within `probes` probes a second apart on `clock`. After a connection loss
 * the pool may still hold a client whose socket is gone: the first query on each answers
 * "Connection terminated" once before a fresh connection is made.
 */
async function readyWithin(probes: number, ready: () => Promise<boolean>, clock: ManualClock): Promise<boolean> {
  for (let i = 0; i < probes; i++) {
    await clock.advance(1_000);
    if (await ready()) return true;
  }
  return false;
}
