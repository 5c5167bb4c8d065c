import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, DriftloopError } from '../../src/client/index.js';
import { seedModel } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const ADMIN = 'client-test-admin-key-0123456789abcdef';

describe('driftloop/client against a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
  });
  afterAll(() => server.stop());

  it('when the wrapper reads a model, its versions, drift and the JSON report with a key, then it gets the typed bodies', async () => {
    const seeded = await seedModel(server, { dim: 8, examples: 60, key: ADMIN });
    const calls: string[] = [];
    const client = createClient({
      baseUrl: `${server.url}/`,
      key: ADMIN,
      fetch: (input, init) => {
        calls.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      },
    });
    const model = await client.model(seeded.name);
    expect(model.settings.drift.windowSize).toBe(500);
    expect(model.settings.retrain.auto).toBe(true);
    expect(model.counts.examples.train + model.counts.examples.eval).toBe(60);
    expect(await client.versions(seeded.name)).toEqual([]);
    expect((await client.drift(seeded.name)).model).toBe(seeded.name);
    const report = await client.report(seeded.name);
    expect(typeof report).toBe('object');
    expect(report.model.name).toBe(seeded.name);
    expect(calls.every((u) => u.startsWith(`${server.url}/v1/models/${seeded.name}`))).toBe(true);
    expect(calls).toContain(`${server.url}/v1/models/${seeded.name}/report?format=json`);
  });

  it('when the key is missing or the model unknown, then the wrapper throws a DriftloopError with the error shape', async () => {
    const anonymous = createClient({ baseUrl: server.url });
    await expect(anonymous.model('pint')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    const client = createClient({ baseUrl: server.url, key: ADMIN });
    const err = await client.model('no-such-model').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriftloopError);
    expect(err).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('driftloop/client as a package', () => {
  it('when a client project compiles against driftloop/client, then its program holds declarations only, no server source', async () => {
    if (!fs.existsSync(path.join(root, 'dist/client/index.d.ts'))) await run(process.execPath, [tsc, '-p', 'tsconfig.client.json'], { cwd: root });
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
    expect(fs.existsSync(path.join(root, pkg.exports['./client']!.types))).toBe(true);
    expect(fs.existsSync(path.join(root, pkg.exports['./client']!.default))).toBe(true);
    const { stdout } = await run(process.execPath, [tsc, '-p', 'test/client/consumer', '--listFilesOnly'], { cwd: root });
    const files = stdout.trim().split('\n');
    expect(files.some((f) => f.endsWith('dist/client/index.d.ts'))).toBe(true);
    expect(files.filter((f) => f.includes(`${root}/src/`))).toEqual([]);
    expect(files.filter((f) => !f.includes('node_modules') && !f.endsWith('.d.ts') && !f.endsWith('consumer.ts'))).toEqual([]);
  });
});
