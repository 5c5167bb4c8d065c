/**
 * Runs after `npm ci` / `npm install` (the `postinstall` script): compiles hnswlib-node again for
 * the AVX2 and FMA instructions when this machine's CPU has them, and records that beside the
 * addon (`src/vectors/hnswlib-build.ts` refuses the record on a CPU without them). Skipped, and
 * the portable SSE build kept, off Linux x86-64, on a CPU without them, or with
 * DRIFTLOOP_PORTABLE_BUILD=1 (an image built here to run on other machines).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_RECORD, buildFor, hnswlibDir, installedBuild, thisCpuFlags, type NativeBuild } from '../src/vectors/hnswlib-build.js';

const dir = hnswlibDir();
const record = path.join(dir, BUILD_RECORD);
const wanted = portable() ? undefined : buildFor(thisCpuFlags() ?? new Set());
const have = installedBuild(dir);

if (sameBuild(wanted, have)) {
  console.log(`hnswlib-node: ${wanted ? `already compiled for ${wanted.cpuFlags.join(' + ')}` : 'portable build'}`);
} else if (!wanted) {
  // A record (a copied node_modules) names features this build must not assume: rebuild plainly.
  console.log('hnswlib-node: compiling the portable build');
  fs.rmSync(record, { force: true });
  if (!rebuild('')) process.exit(1);
} else {
  console.log(`hnswlib-node: compiling for ${wanted.cpuFlags.join(' + ')} (${wanted.cxxflags})`);
  fs.rmSync(record, { force: true });
  if (rebuild(wanted.cxxflags)) fs.writeFileSync(record, JSON.stringify(wanted, null, 2) + '\n');
  else {
    console.warn('hnswlib-node: the build for this CPU failed; compiling the portable build instead');
    if (!rebuild('')) process.exit(1);
  }
}

function portable(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return true;
  return ['1', 'true', 'yes'].includes((process.env.DRIFTLOOP_PORTABLE_BUILD ?? '').toLowerCase());
}

function sameBuild(a: NativeBuild | undefined, b: NativeBuild | undefined): boolean {
  return a?.cxxflags === b?.cxxflags;
}

/** `npm rebuild hnswlib-node` with `cxxflags` added to the compiler's flags; true when it succeeded. */
function rebuild(cxxflags: string): boolean {
  const inherited = process.env.CXXFLAGS ?? '';
  const env = { ...process.env, CXXFLAGS: [inherited, cxxflags].filter(Boolean).join(' ') };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['rebuild', 'hnswlib-node', '--foreground-scripts'], { env, stdio: 'inherit' });
  return result.status === 0;
}
