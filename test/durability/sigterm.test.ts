import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServiceProcess } from '../../scripts/lib/service-process.js';
import { ClusteredData } from '../support/clustered-data.js';
import { databaseEnv } from '../support/database.js';
import { tempDataDir } from '../support/server.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('SIGTERM', () => {
  it('when SIGTERM arrives while a batch is in flight, then the batch completes and the process exits 0', async () => {
    const dataDir = tempDataDir();
    const svc = await startServiceProcess({ DRIFTLOOP_DATA_DIR: dataDir, ...(await databaseEnv(dataDir)) });
    const data = new ClusteredData({ dim: 64, clusters: 3, spread: 0.3, seed: 5 });
    const post = (p: string, body: unknown) => svc.request(p.endsWith('pint') ? 'PUT' : 'POST', p, body);
    await post('/v1/models/pint', { task: 'multiclass', embeddingDim: 64, concepts: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
    const examples = Array.from({ length: 3000 }, (_, i) => ({ id: `e${i}`, embedding: data.point(i % 3), concepts: [['a', 'b', 'c'][i % 3]] }));
    const inFlight = post('/v1/models/pint/examples', { examples });
    await new Promise((r) => setTimeout(r, 50));
    svc.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ inserted: 3000 });
    expect(await svc.exited).toEqual({ code: 0, signal: null });
    expect(svc.logs.some((l) => l.includes('"draining"'))).toBe(true);
  });
});

describe('SIGTERM to npm start', () => {
  it.runIf(process.platform === 'linux')('when a supervisor signals `npm start` itself, then the service drains and exits, with no process left behind', async () => {
    const dataDir = tempDataDir();
    const npm = spawn('npm', ['start', '--silent'], { cwd: root, env: { ...process.env, ...(await databaseEnv(dataDir)), DRIFTLOOP_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let listening: (port: number) => void;
    const port = new Promise<number>((resolve) => (listening = resolve));
    const read = (chunk: Buffer) => {
      log += chunk.toString();
      const line = log.split('\n').find((l) => l.includes('driftloop listening'));
      if (line) listening((JSON.parse(line) as { port: number }).port);
    };
    npm.stdout.on('data', read);
    npm.stderr.on('data', read);
    // 'close': npm has exited and every process holding its output pipes too, the service included.
    const closed = new Promise<void>((resolve) => npm.once('close', () => resolve()));
    const url = `http://127.0.0.1:${await port}/healthz`;
    expect((await fetch(url)).status).toBe(200);
    npm.kill('SIGTERM');
    const guard = new Promise<'left running'>((resolve) => setTimeout(() => resolve('left running'), 30_000).unref());
    expect(await Promise.race([closed.then(() => 'closed' as const), guard])).toBe('closed');
    expect(log).toContain('"draining"');
    expect(log).toContain('driftloop stopped');
    await expect(fetch(url)).rejects.toThrow();
  });
});
