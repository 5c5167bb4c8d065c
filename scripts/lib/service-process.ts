import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requestJson, type JsonAnswer } from './http-json.js';

/**
 * driftloop started exactly as `npm start` does, in its own process: the one launcher that
 * benchmarks, the demo and the durability and restart tests share.
 */
export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** The service's log lines so far (pino JSON, plus anything on stderr). */
  logs: string[];
  exited: Promise<ServiceExit>;
  /** A JSON request against the service (see {@link requestJson}). */
  request(method: string, path: string, body?: unknown, key?: string): Promise<JsonAnswer>;
}

interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchOptions {
  /**
   * Detach the service and append its output to this file, so it keeps running after the
   * caller exits (the demo). Without it, output is piped into `logs`.
   */
  logFile?: string;
  /** Extra flags for the service's node (e.g. `--cpu-prof`), before the script. */
  nodeArgs?: string[];
}

const root = path.resolve(import.meta.dirname, '../..');
const LISTENING = 'driftloop listening';
const LISTEN_TIMEOUT_MS = 120_000;
const running = new Set<ChildProcess>();

/**
 * What package.json's `start` script runs (`[NAME=value …] [exec] node [flags] --import tsx src/main.ts`;
 * `exec` makes node the process npm signals, so SIGTERM to `npm start` drains the service):
 * its environment assignments and node's arguments, so the service runs with the same runtime
 * settings (its young-generation size, malloc's huge pages) however it is started.
 */
export function startCommand(script: string): { env: Record<string, string>; args: string[] } {
  const words = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  let at = 0;
  for (let m: RegExpMatchArray | null; (m = /^([A-Z_][A-Z0-9_]*)=(\S*)$/.exec(words[at] ?? '')); at++) env[m[1]!] = m[2]!;
  if (words[at] === 'exec') at++;
  const [command, ...args] = words.slice(at);
  if (command !== 'node' || args.at(-1) !== 'src/main.ts') throw new Error(`package.json's start script is not "[NAME=value …] node … src/main.ts": ${script}`);
  return { env, args: [...args.slice(0, -1), path.join(root, 'src', 'main.ts')] };
}

function startScript(): string {
  return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
}

/**
 * Starts `src/main.ts` (PORT 0 on 127.0.0.1 unless `env` says otherwise) and resolves once
 * its log says it listens; the port is learned from that line.
 */
export async function startServiceProcess(env: Record<string, string>, options: LaunchOptions = {}): Promise<ServiceProcess> {
  const { logFile, nodeArgs = [] } = options;
  let output: number | 'pipe' = 'pipe';
  if (logFile) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    output = fs.openSync(logFile, 'a');
  }
  // tsx as a loader, not its CLI: the CLI runs the script in a grandchild that a kill would orphan.
  // DRIFTLOOP_BENCH_NODE_FLAGS passes flags NODE_OPTIONS refuses (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) to the service.
  const flags = process.env.DRIFTLOOP_BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  const start = startCommand(startScript());
  const child = spawn(process.execPath, [...flags, ...nodeArgs, ...start.args], {
    cwd: root,
    // info level: the 'listening' line is how the port is learned.
    env: { ...process.env, ...start.env, PORT: '0', HOST: '127.0.0.1', ...env, LOG_LEVEL: 'info' },
    detached: logFile !== undefined,
    stdio: ['ignore', output, output],
  });
  if (typeof output === 'number') fs.closeSync(output);
  if (!logFile) running.add(child);
  const exited = new Promise<ServiceExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const logs: string[] = [];
  const lines = logFile ? tailFile(logFile, logs, exited) : readPipes(child, logs);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not listen within ${LISTEN_TIMEOUT_MS / 1000} s:\n${logs.join('\n')}`)), LISTEN_TIMEOUT_MS);
    lines.onLine = (line) => {
      if (!line.includes(LISTENING)) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    };
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code ?? signal}) before listening:\n${logs.join('\n')}`));
    });
  });
  lines.stop();
  if (logFile) child.unref();
  const url = `http://127.0.0.1:${port}`;
  return { url, child, logs, exited, request: (method, p, body, key) => requestJson(url, method, p, body, key) };
}

/** A benchmark failed: prints the error with the service's last log lines, stops the service and sets a failing exit code. */
export function failWithServiceLog(err: unknown, service: ServiceProcess | undefined): void {
  console.error(err, '\nservice log (last lines):\n', service?.logs.slice(-20).join('\n'));
  service?.child.kill('SIGTERM');
  process.exitCode = 1;
}

/** SIGKILLs every attached service still running, so a failed test leaves none behind. */
export function killServiceProcesses(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
}

interface LineSource {
  onLine: (line: string) => void;
  stop(): void;
}

function lineSplitter(logs: string[]): { source: LineSource; push(text: string): void } {
  const source: LineSource = { onLine: () => undefined, stop: () => undefined };
  let buffer = '';
  return {
    source,
    push(text) {
      buffer += text;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        logs.push(line);
        source.onLine(line);
      }
    },
  };
}

function readPipes(child: ChildProcess, logs: string[]): LineSource {
  const { source, push } = lineSplitter(logs);
  // Piped output keeps being collected after start-up: tests read the shutdown lines too.
  child.stdout!.setEncoding('utf8').on('data', push);
  child.stderr!.setEncoding('utf8').on('data', (text: string) => logs.push(text));
  return source;
}

/** Follows a detached service's log file until `stop`; polling, since the file is the only channel. */
function tailFile(file: string, logs: string[], exited: Promise<ServiceExit>): LineSource {
  const { source, push } = lineSplitter(logs);
  let offset = fs.statSync(file).size;
  const poll = () => {
    const size = fs.statSync(file).size;
    if (size <= offset) return;
    const fd = fs.openSync(file, 'r');
    const chunk = Buffer.alloc(size - offset);
    fs.readSync(fd, chunk, 0, chunk.length, offset);
    fs.closeSync(fd);
    offset = size;
    push(chunk.toString());
  };
  const timer = setInterval(poll, 100);
  void exited.then(() => {
    clearInterval(timer);
    poll();
  });
  source.stop = () => clearInterval(timer);
  return source;
}
