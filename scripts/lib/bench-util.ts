import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { requestJson, type JsonAnswer } from './http-json.js';
import { encodeFloat32Base64 } from '../../src/util/vectors.js';

/** p-th percentile (0..100) of a sample, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A progress bar on stderr, so figures on stdout stay clean. */
export function progressBar(label: string, total: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar(
    { format: `${label.padEnd(28)} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return bar;
}

export const postJson = (url: string, body: unknown, key?: string, headers?: Record<string, string>): Promise<JsonAnswer> => requestJson(url, 'POST', '', body, key, headers);

export const putJson = (url: string, body: unknown): Promise<JsonAnswer> => requestJson(url, 'PUT', '', body);

/** Reads one sample value of a Prometheus text exposition. */
export function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : undefined;
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

// utime and stime are fields 14 and 15 of a stat file, in clock ticks (USER_HZ, 100 on Linux);
// the name in field 2 may hold spaces, so count from the closing parenthesis.
/** The fields of a /proc stat file after the command name, from field 3 (state) on. */
function statFields(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
}

function ticks(file: string): number {
  const fields = statFields(file);
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU time a process has used so far, whole and on its main thread (Linux /proc; undefined elsewhere). */
export function processCpuMs(pid: number): { total: number; main: number } | undefined {
  try {
    return { total: ticks(`/proc/${pid}/stat`) * 10, main: ticks(`/proc/${pid}/task/${pid}/stat`) * 10 };
  } catch {
    return undefined;
  }
}

/** Minor page faults of a process's main thread so far (field 10 of its stat file; Linux /proc, undefined elsewhere). */
export function minorFaults(pid: number): number | undefined {
  try {
    return Number(statFields(`/proc/${pid}/task/${pid}/stat`)[7]);
  } catch {
    return undefined;
  }
}

/** `read(taskDir)` for each thread of a process, by thread id (Linux /proc; empty elsewhere). Threads that end meanwhile are missing. */
export function perThread<T>(pid: number, read: (taskDir: string) => T): Map<number, T> {
  const out = new Map<number, T>();
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      out.set(Number(tid), read(`/proc/${pid}/task/${tid}`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Each thread's name in /proc (what `nameThread` set, else "node"), by thread id. */
export function threadNames(pid: number): Map<number, string> {
  return perThread(pid, (dir) => fs.readFileSync(`${dir}/comm`, 'utf8').trim());
}

/**
 * The service's search threads: those named dl-search-N (`nameThread`); for a service that names
 * none (an older head run back to back), the `count` first of `busiestFirst`, its other threads by CPU.
 */
export function searchThreadIds(names: Map<number, string>, busiestFirst: number[], count: number): Set<number> {
  const named = busiestFirst.filter((tid) => names.get(tid)?.startsWith('dl-search'));
  return new Set(named.length > 0 ? named : busiestFirst.slice(0, count));
}

/** CPU ms used so far by each thread of a process, by thread id. */
export function threadCpuMs(pid: number): Map<number, number> {
  return perThread(pid, (dir) => ticks(`${dir}/stat`) * 10);
}

/** A process's anonymous memory held in transparent huge pages, in bytes (Linux /proc; undefined elsewhere). */
export function hugePageBytes(pid: number): number | undefined {
  try {
    const kb = /AnonHugePages:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * What this machine charges for fresh memory and for a system call, measured now: the first touch
 * of each 4 KB page of a new 16 MB buffer (a page fault; on a virtual machine often one the host
 * serves too), and `fstat` through Node. The service's figures move with both (parsing a batch
 * makes fresh pages, SQLite makes system calls), so they say which kind of machine a run was on:
 * on the Firecracker VMs of 2026-12-02 a page cost about 17 µs of CPU, where bare metal takes well
 * under 1 µs.
 */
export function machineCosts(): string {
  const bytes = 16 * 1024 * 1024;
  const pages = bytes / 4096;
  const before = process.cpuUsage();
  const buffer = Buffer.allocUnsafeSlow(bytes);
  for (let i = 0; i < bytes; i += 4096) buffer[i] = 1;
  const used = process.cpuUsage(before);
  const calls = 10_000;
  const t = performance.now();
  for (let i = 0; i < calls; i++) fs.fstatSync(0);
  const perCall = ((performance.now() - t) * 1000) / calls;
  return `fresh memory ${((used.user + used.system) / pages).toFixed(2)} µs of CPU per 4 KB page first touched (${(used.system / pages).toFixed(2)} in the kernel), fstat ${perCall.toFixed(2)} µs`;
}

/** How a benchmark sends embeddings (`--encoding`): JSON numbers (`embedding`), or base64 of their float32 bytes (`embeddingBase64`). */
export type EmbeddingEncoding = 'numbers' | 'base64';

/** The `--encoding` argument, checked. */
export function embeddingEncoding(value: string | undefined): EmbeddingEncoding {
  if (value !== 'numbers' && value !== 'base64') throw new Error('--encoding is numbers or base64');
  return value;
}

/** A record's embedding field in `encoding`. */
export function embeddingField(embedding: number[], encoding: EmbeddingEncoding): { embedding: number[] } | { embeddingBase64: string } {
  return encoding === 'base64' ? { embeddingBase64: encodeFloat32Base64(embedding) } : { embedding };
}

/** `encoding` as a benchmark's header says it. */
export function encodingLabel(encoding: EmbeddingEncoding): string {
  return encoding === 'base64' ? 'base64 float32' : 'JSON numbers';
}
