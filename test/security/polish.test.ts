import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/** Runs a script under tsx; `preload` adds `--import` modules (test/cli/loaded-modules.mjs reports TensorFlow.js on exit). */
async function node(script: string, args: string[], env: Record<string, string>, preload: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', ...preload.flatMap((p) => ['--import', path.join(root, p)]), path.join(root, script), ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe('HTTP: a known path with the wrong method', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('when a known path is asked with another method, then the answer is 405 with Allow, in the error shape', async () => {
    const res = await fetch(`${server.url}/v1/models/m`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toMatch(/GET/);
    expect(res.headers.get('allow')).toMatch(/PUT/);
    expect(((await res.json()) as any).error.code).toBe('method_not_allowed');
    expect((await fetch(`${server.url}/healthz`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${server.url}/no/such/path`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('starting and the CLI', () => {
  it('when HOST is not loopback and no key exists, then the server prints one line and exits 1 before loading TensorFlow.js', async () => {
    const res = await node('src/main.ts', [], { HOST: '0.0.0.0', PORT: '0', DRIFTLOOP_DATA_DIR: tempDataDir() });
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^driftloop: HOST=0\.0\.0\.0 is not loopback/);
    expect(res.stderr).not.toMatch(/tfjs|Module\[/);
  });

  it('when PORT is already taken, then the server says so in one line that names the port and PORT, and exits 1', async () => {
    const taken = await startTestServer();
    const port = new URL(taken.url).port;
    try {
      const res = await node('src/main.ts', [], { HOST: '127.0.0.1', PORT: port, DRIFTLOOP_DATA_DIR: tempDataDir() });
      expect(res.code).toBe(1);
      expect(res.stderr.trim()).toBe(`driftloop: port ${port} on 127.0.0.1 is already in use (another driftloop?): set PORT to a free port`);
    } finally {
      await taken.stop();
    }
  });

  it('when PORT is already taken, then the server says so before it loads TensorFlow.js (seconds), after its migrations', async () => {
    const taken = await startTestServer();
    const port = new URL(taken.url).port;
    const dataDir = tempDataDir();
    try {
      const res = await node('src/main.ts', [], { HOST: '127.0.0.1', PORT: port, DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'info' }, ['test/cli/loaded-modules.mjs']);
      expect(res.code).toBe(1);
      expect(res.stderr.trim().split('\n')).toEqual([`driftloop: port ${port} on 127.0.0.1 is already in use (another driftloop?): set PORT to a free port`, '', 'TFJS_MODULES_LOADED=0']);
      expect(res.stdout).not.toContain('TensorFlow.js backend');
      // The database was opened (and migrated) first: the keys check before the port check reads it.
      expect(fs.existsSync(path.join(dataDir, 'driftloop.sqlite'))).toBe(true);
    } finally {
      await taken.stop();
    }
  });

  it('when the CLI is asked for its version, an empty key list, or a key id that is not a number, then it answers clearly', async () => {
    const dataDir = tempDataDir();
    const version = await node('src/cli/main.ts', ['--version'], { DRIFTLOOP_DATA_DIR: dataDir });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // A server that ran (open, no key yet) left its database in the folder.
    await (await openDatabase({ dataDir, databaseUrl: undefined })).close();
    const empty = await node('src/cli/main.ts', ['keys', 'list'], { DRIFTLOOP_DATA_DIR: dataDir });
    // Both say where the keys live: a key made in another folder than the server's is refused there.
    expect(empty.stdout).toMatch(new RegExp(`^no keys in the data folder ${dataDir} `));
    const created = await node('src/cli/main.ts', ['keys', 'create', '--role', 'label', '--name', 'ann'], { DRIFTLOOP_DATA_DIR: dataDir });
    expect(created.stderr).toContain(`Created key #1 'ann' with role label in the data folder ${dataDir}.`);
    // A label key's name is its labeler: none is made under a shared default name, and a second key of a name says they are one labeler.
    const nameless = await node('src/cli/main.ts', ['keys', 'create', '--role', 'label'], { DRIFTLOOP_DATA_DIR: dataDir });
    expect(nameless.code).toBe(1);
    expect(nameless.stderr).toContain('--name is required for a label key');
    const again = await node('src/cli/main.ts', ['keys', 'create', '--role', 'label', '--name', 'ann'], { DRIFTLOOP_DATA_DIR: dataDir });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("Note: 'ann' already has an active label key (#1); every one of them labels as the same labeler 'ann'.");
    const listed = await node('src/cli/main.ts', ['keys', 'list'], { DRIFTLOOP_DATA_DIR: dataDir });
    expect(listed.stdout.split('\n')[0]).toBe('id\trole\tname\tprefix\tcreated\tstatus');
    expect(listed.stdout).toMatch(/\n1\tlabel\tann\t/);
    const bad = await node('src/cli/main.ts', ['keys', 'revoke', 'abc'], { DRIFTLOOP_DATA_DIR: dataDir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/'abc' is not a key id/);
  });

  it('when a key command names a folder with no database, then it exits 1 naming the folder and creates nothing; keys create --init starts one there', async () => {
    const empty = tempDataDir();
    for (const args of [['keys', 'create', '--role', 'admin'], ['keys', 'list'], ['keys', 'revoke', '1']]) {
      const refused = await node('src/cli/main.ts', args, { DRIFTLOOP_DATA_DIR: empty });
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain(`no driftloop database in the data folder ${empty} (set DRIFTLOOP_DATA_DIR to the server's data folder, or start one there with: driftloop keys create --role admin --init)`);
    }
    expect(fs.readdirSync(empty)).toEqual([]);
    const started = await node('src/cli/main.ts', ['keys', 'create', '--role', 'admin', '--init'], { DRIFTLOOP_DATA_DIR: empty });
    expect(started.code).toBe(0);
    expect(started.stderr).toContain(`Created key #1 'admin-key' with role admin in the data folder ${empty}.`);
  });

  it('when the report names a model that is not in the data folder, then the error names the folder and no empty database is created', async () => {
    const empty = tempDataDir();
    const missing = await node('src/cli/main.ts', ['report', 'nope'], { DRIFTLOOP_DATA_DIR: empty });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no driftloop database in the data folder ${empty}`);
    expect(fs.readdirSync(empty)).toEqual([]);

    const dataDir = tempDataDir();
    await node('src/cli/main.ts', ['keys', 'create', '--role', 'label', '--name', 'ann', '--init'], { DRIFTLOOP_DATA_DIR: dataDir });
    const unknown = await node('src/cli/main.ts', ['report', 'nope'], { DRIFTLOOP_DATA_DIR: dataDir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`model 'nope' does not exist in the data folder ${dataDir}`);
  });

  it('when the report is written to a file, then the size it prints is the file’s size in bytes (the page holds multi-byte characters)', async () => {
    const dataDir = tempDataDir();
    const server = await startTestServer({ dataDir });
    await server.request('PUT', '/v1/models/perfect-pint', { task: 'multiclass', embeddingDim: 3, concepts: [{ id: 'lager' }, { id: 'stout' }] });
    await server.stop();
    const out = path.join(dataDir, 'report.html');
    const written = await node('src/cli/main.ts', ['report', 'perfect-pint', '--out', out], { DRIFTLOOP_DATA_DIR: dataDir });
    expect(written.code).toBe(0);
    const size = fs.statSync(out).size;
    expect(Buffer.byteLength(fs.readFileSync(out, 'utf8'))).toBeGreaterThan(fs.readFileSync(out, 'utf8').length);
    expect(written.stderr.trim()).toBe(`wrote ${out} (${size} bytes)`);
  });
});
