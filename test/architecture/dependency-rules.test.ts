import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/** Runs the dependency check of `npm test` (same binary, same config) on a fixture's `src/`. */
async function depcruise(fixture: string): Promise<{ code: number; output: string }> {
  const bin = path.join(root, 'node_modules', '.bin', 'depcruise');
  const cwd = path.join(root, 'test', 'architecture', 'fixtures', fixture);
  return run(bin, ['src', '--config', path.join(root, '.dependency-cruiser.cjs'), '--output-type', 'err'], { cwd }).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }),
  );
}

describe.concurrent('the dependency rules', () => {
  it('when routes, services, repositories and views point the allowed way, then the check passes', async () => {
    const { code, output } = await depcruise('clean');
    expect(output).toMatch(/no dependency violations found/);
    expect(code).toBe(0);
  });

  it.each([
    ['cycle', 'no-circular'],
    ['view', 'no-feature-imports-view'],
    ['repository', 'no-repository-imports-service'],
    ['engine', 'no-engine-imports-service'],
    ['foreign-repository', 'no-foreign-repository'],
  ])('when a fixture breaks a rule (%s), then the check fails naming %s', async (fixture, rule) => {
    const { code, output } = await depcruise(fixture);
    expect(output).toContain(`error ${rule}:`);
    expect(code).not.toBe(0);
  });
});
