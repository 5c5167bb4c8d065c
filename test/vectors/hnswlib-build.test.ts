import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_RECORD, buildFor, cpuFlagsOf, installedBuild, thisCpuFlags, unfitBuild } from '../../src/vectors/hnswlib-build.js';

const CPUINFO = [
  'processor\t: 0',
  'vendor_id\t: AuthenticAMD',
  'flags\t\t: fpu vme sse sse2 ssse3 fma sse4_1 sse4_2 avx avx2 bmi2',
  '',
  'processor\t: 1',
  'flags\t\t: fpu vme sse sse2',
].join('\n');

describe('the native build of hnswlib-node', () => {
  it('when /proc/cpuinfo is read, then the first processor’s flags are the CPU’s', () => {
    const flags = cpuFlagsOf(CPUINFO);
    expect(flags.has('avx2')).toBe(true);
    expect(flags.has('fma')).toBe(true);
    expect(flags.has('flags')).toBe(false);
    expect(cpuFlagsOf('processor : 0\n').size).toBe(0);
  });

  it('when the CPU has AVX2 and FMA, then the build uses both; when it lacks either, then the portable build', () => {
    expect(buildFor(new Set(['sse2', 'avx', 'avx2', 'fma']))).toEqual({ cpuFlags: ['avx2', 'fma'], cxxflags: '-mavx2 -mfma' });
    expect(buildFor(new Set(['sse2', 'avx', 'avx2']))).toBeUndefined();
    expect(buildFor(new Set(['sse2', 'fma']))).toBeUndefined();
  });

  it('when a build for AVX2 meets a CPU without it, then it is refused with what is missing and how to rebuild', () => {
    const build = buildFor(new Set(['avx2', 'fma']))!;
    expect(unfitBuild(build, new Set(['avx2', 'fma', 'sse2']))).toBeUndefined();
    const problem = unfitBuild(build, new Set(['sse2', 'avx', 'fma']));
    expect(problem).toContain('lacks (avx2)');
    expect(problem).toContain('scripts/build-native.ts');
    expect(problem).toContain('DRIFTLOOP_PORTABLE_BUILD=1');
  });

  it('when the addon folder holds a record, then it is the installed build; without one, the portable build', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-hnswlib-build-'));
    try {
      expect(installedBuild(dir)).toBeUndefined();
      fs.mkdirSync(path.dirname(path.join(dir, BUILD_RECORD)), { recursive: true });
      fs.writeFileSync(path.join(dir, BUILD_RECORD), JSON.stringify({ cpuFlags: ['avx2', 'fma'], cxxflags: '-mavx2 -mfma' }));
      expect(installedBuild(dir)).toEqual({ cpuFlags: ['avx2', 'fma'], cxxflags: '-mavx2 -mfma' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when this machine installed the addon, then its record fits this CPU', () => {
    const build = installedBuild();
    const cpu = thisCpuFlags();
    if (build && cpu) expect(unfitBuild(build, cpu)).toBeUndefined();
    // The install step compiles for this CPU whenever it can (Linux x86-64 with AVX2 and FMA).
    if (cpu && process.platform === 'linux' && process.arch === 'x64' && buildFor(cpu) && !process.env.DRIFTLOOP_PORTABLE_BUILD) expect(build).toEqual(buildFor(cpu));
  });
});
