/**
 * The fixed cost of a request on the service's main thread: node's parser, hono and the
 * middlewares, the route, the answer and its write, for requests that do almost nothing else.
 *
 *   npm run bench -- http [--requests 3000] [--rounds 3]
 *
 * Starts the service as `npm start` does (SQLite in a temp folder, one model, an empty queue)
 * and sends from this process, one at a time over one keep-alive connection: GET /healthz,
 * an empty claim (POST …/queue/claim: auth, the JSON checks, zod, two queries, `{"items":[]}`)
 * and an unknown path (the 404 error answer). Each kind `requests` times per round, the kinds
 * interleaved, `rounds` rounds. Prints the main thread's CPU per request from the scheduler's
 * counters (and its wait for a CPU) beside the load average: on a busy machine, compare two
 * commits by alternating runs. Asserts nothing.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServiceProcess } from '../lib/service-process.js';
import { cpuWaitBetween, threadCpuWait } from './lib/cpu-wait.js';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '3' } } });
const REQUESTS = Number(args.requests);
const ROUNDS = Number(args.rounds);
const WARM_UP = 500;
/** How long the main thread's CPU is read with no request, to show its own background work. */
const IDLE_MS = 3000;

interface Kind {
  name: string;
  method: string;
  path: string;
  body?: string;
  status: number;
}

const MODEL = 'bench-http';
const KINDS: Kind[] = [
  { name: 'GET /healthz', method: 'GET', path: '/healthz', status: 200 },
  { name: 'empty claim', method: 'POST', path: `/v1/models/${MODEL}/queue/claim`, body: JSON.stringify({ labeler: 'ann', limit: 1 }), status: 200 },
  { name: '404 error', method: 'GET', path: '/v1/no-such-path', status: 404 },
];

const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-http-'));
const service = await startServiceProcess({ DRIFTLOOP_DATA_DIR: dataDir });
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const { port } = new URL(service.url);

function send(kind: Kind): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = kind.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(kind.body) };
    const req = http.request({ host: '127.0.0.1', port, agent, method: kind.method, path: kind.path, headers }, (res) => {
      if (res.statusCode !== kind.status) reject(new Error(`${kind.name}: status ${res.statusCode}, expected ${kind.status}`));
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(kind.body);
  });
}

try {
  const put = await service.request('PUT', `/v1/models/${MODEL}`, { task: 'multiclass', embeddingDim: 8, concepts: [{ id: 'a' }, { id: 'b' }] });
  if (put.status >= 300) throw new Error(`PUT model: ${put.status} ${JSON.stringify(put.body)}`);
  for (const kind of KINDS) for (let i = 0; i < WARM_UP; i++) await send(kind);
  const pid = service.child.pid!;
  const idleBefore = threadCpuWait(pid);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const idle = cpuWaitBetween(idleBefore, threadCpuWait(pid), (tid) => tid === pid).cpuMs / (IDLE_MS / 1000);
  console.log(`machine: ${os.availableParallelism()} cores; ${REQUESTS} sequential requests per kind and round, ${ROUNDS} rounds; main thread CPU with no requests ${idle.toFixed(1)} ms/s (included below)`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of KINDS) {
      const before = threadCpuWait(pid);
      const started = performance.now();
      for (let i = 0; i < REQUESTS; i++) await send(kind);
      const wall = performance.now() - started;
      const main = cpuWaitBetween(before, threadCpuWait(pid), (tid) => tid === pid);
      const per = (ms: number) => (ms / REQUESTS).toFixed(3);
      console.log(`round ${round} ${kind.name.padEnd(13)} main thread CPU ${per(main.cpuMs)} ms/request, waited ${per(main.waitMs)}, wall ${per(wall)} ms/request (load average ${load()})`);
    }
  }
} finally {
  agent.destroy();
  service.child.kill('SIGTERM');
  await service.exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
}
