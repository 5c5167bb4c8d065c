import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hc } from 'hono/client';
import { pino } from 'pino';
import { createApp, type AppType, type Driftloop } from '../../src/app.js';
import type { Replacements } from '../../src/composition/container.js';
import { loadConfig, type Limits } from '../../src/config.js';
import { databaseEnv, databaseUrlFor } from './database.js';
import type { Clock } from '../../src/util/clock.js';
import { requestJson } from '../../scripts/lib/http-json.js';

/** A real driftloop on 127.0.0.1, port 0, over a real SQLite file in a temp folder (or a real PostgreSQL database). */
export interface TestServer {
  url: string;
  dataDir: string;
  driftloop: Driftloop;
  client: ReturnType<typeof hc<AppType>>;
  /** fetch against the server with JSON body and optional bearer key. */
  request(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/** The tests' DRIFTLOOP_SPLIT_SECRET: production splits repeat from run to run. */
export const TEST_SPLIT_SECRET = 'driftloop-tests-split-secret';

/** Makes an empty temp data folder. */
export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-test-'));
}

/** `clock` replaces the system clock (a `ManualClock` the test advances); `replace` swaps ports for stand-ins; `limits` overrides limits. */
export async function startTestServer(
  opts: { dataDir?: string; env?: Record<string, string>; clock?: Clock; replace?: Replacements; limits?: Partial<Limits> } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  // A fixed split secret: the eval split of labeled production items is the same on every run.
  const loaded = loadConfig({ PORT: '0', HOST: '127.0.0.1', DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DRIFTLOOP_SPLIT_SECRET: TEST_SPLIT_SECRET, ...(await databaseEnv(dataDir)), ...opts.env });
  const config = opts.limits ? { ...loaded, limits: { ...loaded.limits, ...opts.limits } } : loaded;
  // DRIFTLOOP_TEST_LOG=1 shows the servers' error logs (a 500's cause) while debugging a test.
  const driftloop = await createApp(config, pino({ level: process.env.DRIFTLOOP_TEST_LOG ? 'error' : 'silent' }), { clock: opts.clock, replace: opts.replace });
  const { port } = await driftloop.start();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dataDir,
    driftloop,
    client: hc<AppType>(url),
    request: (method, p, body, key) => requestJson(url, method, p, body, key),
    stop: () => driftloop.stop(),
  };
}

/** Two instances of the service on one PostgreSQL database, and how to stop both. */
export interface TwoInstances {
  a: TestServer;
  b: TestServer;
  databaseUrl: string;
  stop(): Promise<void>;
}

/**
 * Instance A on a fresh PostgreSQL database, then instance B on the same database with a data
 * folder of its own: each with its own clock when given (instances whose clocks differ), both
 * polling for other instances' index changes every 200 ms unless `env` says otherwise.
 * `beforeB` runs once A listens and before B starts: what B catches up on at its start.
 */
export async function startTwoInstances(
  opts: { clocks?: [Clock | undefined, Clock | undefined]; env?: Record<string, string>; limits?: Partial<Limits>; beforeB?: (a: TestServer) => Promise<void> } = {},
): Promise<TwoInstances> {
  const dirA = tempDataDir();
  const databaseUrl = await databaseUrlFor(dirA);
  if (!databaseUrl) throw new Error('Two instances share one PostgreSQL database: run this suite in the postgres project');
  const env = { DRIFTLOOP_DATABASE_URL: databaseUrl, DRIFTLOOP_INDEX_POLL_MS: '200', ...opts.env };
  const a = await startTestServer({ dataDir: dirA, env, clock: opts.clocks?.[0], limits: opts.limits });
  try {
    await opts.beforeB?.(a);
    const b = await startTestServer({ dataDir: tempDataDir(), env, clock: opts.clocks?.[1], limits: opts.limits });
    return {
      a,
      b,
      databaseUrl,
      stop: async () => {
        await b.stop();
        await a.stop();
      },
    };
  } catch (err) {
    await a.stop();
    throw err;
  }
}
