import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, DriftloopError, embeddingBase64 } from '../../src/client/index.js';
import { encodeFloat32Base64 } from '../../src/util/vectors.js';
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

  it('when a vector is spelled with embeddingBase64, then it is the server\'s own spelling, and the typed rpc sends it as a prediction', async () => {
    const values = [0.1, -2.5, 1.5e19, -1e-45, 0, 3.4028234663852886e38, 1 / 3];
    expect(embeddingBase64(values)).toBe(encodeFloat32Base64(values));
    const long = Array.from({ length: 70_000 }, (_, i) => Math.sin(i));
    expect(embeddingBase64(long)).toBe(encodeFloat32Base64(long));
    const seeded = await seedModel(server, { name: 'b64-client', dim: 8, examples: 60, key: ADMIN });
    const client = createClient({ baseUrl: server.url, key: ADMIN });
    const res = await client.rpc.v1.models[':model'].predictions.$post({
      param: { model: seeded.name },
      json: { predictions: [{ id: 'b64-1', embeddingBase64: embeddingBase64(seeded.data.point(0)), scores: seeded.data.scores(seeded.concepts, 0, 0.8) }] },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
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
