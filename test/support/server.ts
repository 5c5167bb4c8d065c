import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hc } from 'hono/client';
import { pino } from 'pino';
import { createApp, type AppType, type Driftloop } from '../../src/app.js';
import type { Replacements } from '../../src/composition/container.js';
import { loadConfig, type Limits } from '../../src/config.js';
import { databaseEnv } from './database.js';
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

/** Makes an empty temp data folder. */
export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-test-'));
}

/** `clock` replaces the system clock (a `ManualClock` the test advances); `replace` swaps ports for stand-ins; `limits` overrides limits. */
export async function startTestServer(
  opts: { dataDir?: string; env?: Record<string, string>; clock?: Clock; replace?: Replacements; limits?: Partial<Limits> } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const loaded = loadConfig({ PORT: '0', HOST: '127.0.0.1', DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(await databaseEnv(dataDir)), ...opts.env });
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
