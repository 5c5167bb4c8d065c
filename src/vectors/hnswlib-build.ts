import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Hnswlib from 'hnswlib-node';

/**
 * hnswlib-node is compiled on the machine that installs it, and by default only for SSE, which
 * every x86-64 CPU has. `scripts/build-native.ts` (run after `npm ci`) compiles it again for
 * AVX2 and FMA when the installing CPU has them: searches take 14–19% less CPU and insertions
 * about 14% less (docs/indexing.md, "The native build"). Code built so dies of an
 * illegal instruction on a CPU without them (an image built on one machine and run on an older
 * one), so the build records what it assumed, and the index refuses to load where it does not hold.
 */

/** What the build recorded beside the addon. */
export interface NativeBuild {
  /** CPU features (as `/proc/cpuinfo` names them) the compiled code may use. */
  cpuFlags: string[];
  /** The compiler flags that allowed them. */
  cxxflags: string;
}

/** CPU features worth compiling for, and the flag that lets the compiler use each. */
export const SPEED_FLAGS: readonly { cpuFlag: string; cxxflag: string }[] = Object.freeze([
  { cpuFlag: 'avx2', cxxflag: '-mavx2' },
  { cpuFlag: 'fma', cxxflag: '-mfma' },
]);

/** Where the build's record sits: beside the addon it describes, so a plain rebuild removes it. */
export const BUILD_RECORD = path.join('build', 'Release', 'driftloop-build.json');

const require = createRequire(import.meta.url);

/** The CPU's feature flags from the text of `/proc/cpuinfo` (the first processor's `flags` line). */
export function cpuFlagsOf(cpuinfo: string): Set<string> {
  const line = /^flags\s*:(.*)$/m.exec(cpuinfo);
  return new Set(line ? line[1]!.trim().split(/\s+/) : []);
}

/** The build for a CPU with `flags`: every speed flag when it has them all, else none (the portable build). */
export function buildFor(flags: ReadonlySet<string>): NativeBuild | undefined {
  if (!SPEED_FLAGS.every((f) => flags.has(f.cpuFlag))) return undefined;
  return { cpuFlags: SPEED_FLAGS.map((f) => f.cpuFlag), cxxflags: SPEED_FLAGS.map((f) => f.cxxflag).join(' ') };
}

/** Why `build` cannot run on a CPU with `flags`, or undefined when it can. */
export function unfitBuild(build: NativeBuild, flags: ReadonlySet<string>): string | undefined {
  const missing = build.cpuFlags.filter((f) => !flags.has(f));
  if (missing.length === 0) return undefined;
  return (
    `hnswlib-node was compiled for CPU features this CPU lacks (${missing.join(', ')}): ` +
    'it was built on another machine. Run `npx tsx scripts/build-native.ts` here to compile it for this one, ' +
    'or install with DRIFTLOOP_PORTABLE_BUILD=1 where the image must run on any x86-64 CPU.'
  );
}

/** The installed package's folder. */
export function hnswlibDir(): string {
  return path.dirname(require.resolve('hnswlib-node/package.json'));
}

/** What the installed addon was compiled for; undefined for the portable build. */
export function installedBuild(dir = hnswlibDir()): NativeBuild | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, BUILD_RECORD), 'utf8')) as NativeBuild;
  } catch {
    return undefined;
  }
}

/** This CPU's feature flags, or undefined where `/proc/cpuinfo` cannot be read (not Linux). */
export function thisCpuFlags(): Set<string> | undefined {
  try {
    return cpuFlagsOf(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return undefined;
  }
}

let loaded: typeof Hnswlib | undefined;

/**
 * The addon, once it is known to run on this CPU: a clear error instead of an illegal instruction.
 * Checked once per thread; the modules that use the addon share the answer.
 */
export function loadHnswlib(): typeof Hnswlib {
  if (loaded) return loaded;
  const build = installedBuild();
  const cpu = build && thisCpuFlags();
  const problem = build && cpu && unfitBuild(build, cpu);
  if (problem) throw new Error(problem);
  loaded = require('hnswlib-node') as typeof Hnswlib;
  return loaded;
}

/** For the start-up log: which code the index runs. */
export function describeHnswlibBuild(): string {
  const build = installedBuild();
  return build ? `compiled for ${build.cpuFlags.join(' + ')} (${build.cxxflags})` : 'portable (SSE)';
}
