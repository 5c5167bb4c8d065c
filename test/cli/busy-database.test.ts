import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDataDir } from '../support/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, env: { ...process.env, DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'silent' } }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe('the CLI when the SQLite file is locked by another process', () => {
  it('when `keys create` cannot get the write lock, then it exits 1 saying the database is busy and nothing was stored, and works once the lock is gone', async () => {
    const dataDir = tempDataDir();
    expect((await cli(dataDir, 'keys', 'create', '--role', 'admin', '--name', 'first', '--init')).code).toBe(0);
    const other = new SQLite(path.join(dataDir, 'driftloop.sqlite'));
    try {
      other.exec('begin immediate');
      // execFile runs the CLI in another process: this one's event loop stays free, and the lock is held meanwhile.
      const busy = await cli(dataDir, 'keys', 'create', '--role', 'label', '--name', 'second');
      other.exec('rollback');
      expect(busy.code).toBe(1);
      expect(busy.stdout).toBe('');
      expect(busy.stderr).toContain('driftloop: the database is busy (another process holds its write lock, or a concurrent transaction ended this one); nothing was stored: run the command again');
      expect(other.prepare('select count(*) as n from api_keys').get()).toEqual({ n: 1 });
      const again = await cli(dataDir, 'keys', 'create', '--role', 'label', '--name', 'second');
      expect(again.code).toBe(0);
      expect(other.prepare('select count(*) as n from api_keys').get()).toEqual({ n: 2 });
    } finally {
      other.close();
    }
  });
});
