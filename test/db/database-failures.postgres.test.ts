import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confident, setupModel, type Fixture } from '../queue/support.js';
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
