import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { requestJson, type JsonAnswer } from './http-json.js';

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

export const postJson = (url: string, body: unknown, key?: string): Promise<JsonAnswer> => requestJson(url, 'POST', '', body, key);

export const putJson = (url: string, body: unknown): Promise<JsonAnswer> => requestJson(url, 'PUT', '', body);

/** Reads one sample value of a Prometheus text exposition. */
export function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : undefined;
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** CPU time a process has used so far, whole and on its main thread (Linux /proc; undefined elsewhere). */
export function processCpuMs(pid: number): { total: number; main: number } | undefined {
  // utime and stime are fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux); the name in
  // field 2 may hold spaces, so count from the closing parenthesis.
  const ticks = (file: string) => {
    const fields = fs.readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  try {
    return { total: ticks(`/proc/${pid}/stat`) * 10, main: ticks(`/proc/${pid}/task/${pid}/stat`) * 10 };
  } catch {
    return undefined;
  }
}
