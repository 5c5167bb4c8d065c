import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDataDir } from '../support/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/** Runs the CLI in a child process that reports, on exit, how many TensorFlow.js modules it loaded. */
async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; tfjsModules: number }> {
  const argv = ['--import', 'tsx', '--import', path.join(root, 'test/cli/loaded-modules.mjs'), path.join(root, 'src/cli/main.ts'), ...args];
  const result = await run(process.execPath, argv, { cwd: root, env: { ...process.env, DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'silent' } }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
  const match = /TFJS_MODULES_LOADED=(\d+)/.exec(result.stderr);
  if (!match) throw new Error(`no module report from the CLI: ${result.stderr}`);
  return { code: result.code, stdout: result.stdout, tfjsModules: Number(match[1]) };
}

describe('the CLI containers', () => {
  it('when keys are created and listed, then TensorFlow.js is never loaded; the report command, on the full container, loads it', async () => {
    const dataDir = tempDataDir();
    const created = await cli(dataDir, 'keys', 'create', '--role', 'admin', '--name', 'ops', '--init');
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toMatch(/^\S{20,}$/);
    const listed = await cli(dataDir, 'keys', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/\tadmin\tops\t/);
    expect([created.tfjsModules, listed.tfjsModules]).toEqual([0, 0]);
    // The probe can see TensorFlow.js: the report command builds the full container, which loads it.
    const report = await cli(dataDir, 'report', 'no-such-model');
    expect(report.code).toBe(1);
    expect(report.tfjsModules).toBeGreaterThan(0);
  });
});
