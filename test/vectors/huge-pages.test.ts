import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCommand, startServiceProcess } from '../../scripts/lib/service-process.js';
import { tempDataDir } from '../support/server.js';

const root = path.resolve(import.meta.dirname, '../..');
const startScript = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
const HUGE = 'glibc.malloc.hugetlb=1';

// Transparent huge pages that malloc may ask for: `madvise` or `always` (not `never`, not another OS).
const thpMode = (() => {
  try {
    return /\[(\w+)\]/.exec(fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
})();
const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;

/** Builds a 4,000-point × 256-dim hnswlib index in a child node and returns its AnonHugePages in kB. */
function indexHugePagesKb(env: Record<string, string>): number {
  const script = `
    import fs from 'node:fs';
    import hnswlib from 'hnswlib-node';
    const index = new hnswlib.HierarchicalNSW('cosine', 256);
    index.initIndex({ maxElements: 4000, m: 8, efConstruction: 16, randomSeed: 1 });
    for (let i = 0; i < 4000; i++) index.addPoint(Array.from({ length: 256 }, (_, j) => Math.sin(i * 7 + j)), i);
    const kb = /AnonHugePages:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/smaps_rollup', 'utf8'))[1];
    console.log(kb, index.getCurrentCount());`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env: { ...process.env, GLIBC_TUNABLES: '', ...env }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  const [kb, count] = run.stdout.trim().split(' ').map(Number);
  expect(count).toBe(4000);
  return kb!;
}

describe('huge pages for the HNSW indexes', () => {
  it('when the start script is read, then its environment assignments go to the service and node gets its flags', () => {
    const { env, args } = startCommand(startScript);
    // Huge pages are opt-in: on the quiet machine they raised the PostgreSQL claim tail (README, Ingest).
    expect(env).toEqual({});
    expect(args.slice(-3)).toEqual(['--import', 'tsx', path.join(root, 'src', 'main.ts')]);
    expect(args).not.toContain('node');
    expect(startCommand('A=1 B_2=x node --import tsx src/main.ts').env).toEqual({ A: '1', B_2: 'x' });
    expect(startCommand('A=1 exec node --import tsx src/main.ts')).toEqual({ env: { A: '1' }, args: ['--import', 'tsx', path.join(root, 'src', 'main.ts')] });
  });

  it('when a start script does not run node on src/main.ts, then the launcher refuses it', () => {
    expect(() => startCommand('GLIBC_TUNABLES=x tsx src/main.ts')).toThrow(/start script/);
    expect(() => startCommand('node src/other.ts')).toThrow(/start script/);
  });

  it.runIf(process.platform === 'linux')('when huge pages are asked for at start, then the service\'s malloc is told to use them', async () => {
    const svc = await startServiceProcess({ DRIFTLOOP_DATA_DIR: tempDataDir(), GLIBC_TUNABLES: HUGE });
    try {
      const environ = fs.readFileSync(`/proc/${svc.child.pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain(`GLIBC_TUNABLES=${HUGE}`);
    } finally {
      svc.child.kill('SIGTERM');
      await svc.exited;
    }
  });

  // The mechanism the setting relies on: hnswlib's graph is malloc'd, and glibc (2.35 on) advises huge pages for it.
  it.runIf(process.platform === 'linux' && glibc !== undefined && Number(glibc) >= 2.35 && (thpMode === 'madvise' || thpMode === 'always'))(
    'when malloc may use huge pages, then an hnswlib index is held in them, and with madvise-only huge pages not without the setting',
    () => {
      expect(indexHugePagesKb({ GLIBC_TUNABLES: HUGE })).toBeGreaterThanOrEqual(2048);
      if (thpMode === 'madvise') expect(indexHugePagesKb({})).toBe(0);
    },
  );
});
