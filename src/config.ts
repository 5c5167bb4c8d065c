import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { InputOrigins } from './http/input-origins.js';

/** SQLite's busy timeout unless `DRIFTLOOP_SQLITE_BUSY_MS` says otherwise. */
export const DEFAULT_SQLITE_BUSY_MS = 5000;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  DRIFTLOOP_DATA_DIR: z.string().min(1).default('./data'),
  DRIFTLOOP_ADMIN_KEY: z.string().min(16, 'DRIFTLOOP_ADMIN_KEY must be at least 16 characters').optional(),
  DRIFTLOOP_WEBHOOK_ALLOW: z.string().default(''),
  DRIFTLOOP_METRICS_REQUIRE_KEY: z.enum(['true', 'false', '1', '0']).default('false'),
  /** Base URL the service is reached at from outside (e.g. https://driftloop.example.com): links in webhook payloads become absolute. */
  DRIFTLOOP_PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'DRIFTLOOP_PUBLIC_URL must be an http(s) URL' })
    .optional(),
  /** Most connections open at once from one client address (default: half of the 1,024 the server holds). */
  DRIFTLOOP_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(1024).optional(),
  /** Origins (comma-separated, e.g. https://cdn.example.com) the pages may load inputs' images from; unset: any http(s). */
  DRIFTLOOP_INPUT_ORIGINS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return InputOrigins.parse(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /**
   * Secret from which each new model's eval-split key derives (with the model's name): runs that
   * must repeat (tests, benchmarks) set it. Unset, each model gets a random key.
   */
  DRIFTLOOP_SPLIT_SECRET: z.string().min(16, 'DRIFTLOOP_SPLIT_SECRET must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How often each instance polls the database for examples other instances committed (PostgreSQL: several instances). */
  DRIFTLOOP_INDEX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Worker threads for CPU-heavy statistics (the drift MMD kernel); 0 runs them on the event loop. Default: one per core, at most 4. */
  DRIFTLOOP_COMPUTE_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  /** Nice value of the compute threads (Linux, per thread): they give the CPU to the event loop first; 0 keeps their priority. */
  DRIFTLOOP_COMPUTE_NICENESS: z.coerce.number().int().min(0).max(19).default(10),
  /** Most queue items per model the near-duplicate index holds (the newest): bounds its memory (~1.2 KB an item at 256 dims). */
  DRIFTLOOP_DUPLICATE_WINDOW: z.coerce.number().int().min(2).max(100_000_000).default(200_000),
  /** Search threads, each with its own copy of every train index; 0 searches on the main thread. Default: one per core. */
  DRIFTLOOP_SEARCH_REPLICAS: z.coerce.number().int().min(0).max(64).optional(),
  /** Nice value of the search threads (Linux, per thread): with both cores busy the event loop (claims) runs first; 0 keeps their priority. */
  DRIFTLOOP_SEARCH_NICENESS: z.coerce.number().int().min(0).max(19).default(0),
  /** How long a write waits for another process's lock on the SQLite file before its request is answered 503 with Retry-After. */
  DRIFTLOOP_SQLITE_BUSY_MS: z.coerce.number().int().min(0).max(60_000).default(DEFAULT_SQLITE_BUSY_MS),
  DRIFTLOOP_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'DRIFTLOOP_DATABASE_URL must be a postgres:// URL' })
    .optional(),
});

/** Limits that protect the service; not read from the environment. */
export interface Limits {
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Most records accepted in one batch (JSON or NDJSON). */
  readonly maxBatchRecords: number;
  /** Most request-body bytes held at once across all requests; beyond it, 503 with Retry-After. */
  readonly maxBodyBytesInFlight: number;
  /** How long a browser session lasts after sign-in. */
  readonly sessionTtlSeconds: number;
  /** Most connections open at once; the server closes any past it as soon as it is accepted. */
  readonly maxConnections: number;
  /**
   * Most connections open at once from one address (DRIFTLOOP_MAX_CONNECTIONS_PER_ADDRESS): one
   * client that never finishes its headers cannot hold every slot. Behind a single reverse proxy
   * every connection has the proxy's address: raise it to `maxConnections` there.
   */
  readonly maxConnectionsPerAddress: number;
  /** Time a connection has to send a request's headers (after it opens, or after its last answer). */
  readonly headersTimeoutMs: number;
  /** Time a request has to arrive whole, headers and body; past it, 408 and the connection closes. */
  readonly requestTimeoutMs: number;
  /**
   * On SIGTERM, how long requests in flight have to finish before their connections are cut:
   * a client that holds a request open cannot hold the shutdown (a cut request was never acknowledged).
   */
  readonly drainMs: number;
  /** Characters of SQL text the SQLite statement cache keeps at most together; unset, `STATEMENT_CHARS_KEPT` (1 Mi). Tests shrink it. */
  readonly statementChars?: number;
}

/** Typed, frozen process configuration. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** A `postgres://` URL: PostgreSQL instead of the SQLite file in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /**
   * SQLite: how long a statement waits for another process's write lock on the file (the CLI, an
   * operator's shell) before it fails SQLITE_BUSY, answered 503 with Retry-After. better-sqlite3
   * waits on the event loop, so every request waits with it.
   */
  readonly sqliteBusyMs: number;
  readonly adminKey: string | undefined;
  /** Hosts, addresses or CIDR ranges webhooks may reach although loopback, private or link-local. */
  readonly webhookAllow: readonly string[];
  /** `/metrics` names every model: when true it needs a key (any role) like the API. */
  readonly metricsRequireKey: boolean;
  /** Base URL for absolute links (webhook payloads), without a trailing slash; undefined keeps links relative. */
  readonly publicUrl: string | undefined;
  /** Where pages may load inputs from (DRIFTLOOP_INPUT_ORIGINS); writes naming another origin are refused. */
  readonly inputOrigins: InputOrigins;
  /** Secret new models' split keys derive from; undefined: random keys. */
  readonly splitSecret: string | undefined;
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  readonly limits: Limits;
  readonly indexes: IndexSettings;
  /** Worker threads for CPU-heavy statistics; 0 = on the event loop. */
  readonly computeThreads: number;
  /** Nice value of those threads: above 0 the scheduler runs the event loop (claims, ingestion) before them. */
  readonly computeNiceness: number;
}

/** How derived indexes follow the database across instances. */
export interface IndexSettings {
  /** Interval of the catch-up poll for examples committed by other instances (injected clock). */
  readonly pollMs: number;
  /** Least time between two snapshot publications of one index by one instance (PostgreSQL only). */
  readonly snapshotEveryMs: number;
  /** Most queue items per model the near-duplicate index holds: the newest; older ones are no longer matched. */
  readonly duplicateWindow: number;
  /**
   * Search threads, each holding a full replica of every train index (memory: one index per
   * thread, besides the main thread's own); 0 keeps every search on the main thread.
   */
  readonly searchReplicas: number;
  /** Nice value of the search threads (Linux): above 0 they yield the CPU to the event loop when both are runnable. */
  readonly searchNiceness: number;
}

const DEFAULT_LIMITS: Limits = Object.freeze({
  maxBodyBytes: 64 * 1024 * 1024,
  maxBatchRecords: 10_000,
  maxBodyBytesInFlight: 256 * 1024 * 1024,
  sessionTtlSeconds: 12 * 3600,
  maxConnections: 1024,
  maxConnectionsPerAddress: 512,
  headersTimeoutMs: 66_000,
  requestTimeoutMs: 300_000,
  drainMs: 20_000,
});

/** More threads than this only help a large machine that runs many models' evaluations at once; set it explicitly there. */
const MAX_DEFAULT_COMPUTE_THREADS = 4;

/** Parses the environment once; throws with every problem listed when it is invalid. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DRIFTLOOP_DATA_DIR),
    databaseUrl: e.DRIFTLOOP_DATABASE_URL,
    sqliteBusyMs: e.DRIFTLOOP_SQLITE_BUSY_MS,
    adminKey: e.DRIFTLOOP_ADMIN_KEY,
    webhookAllow: Object.freeze(e.DRIFTLOOP_WEBHOOK_ALLOW.split(',').map((s) => s.trim()).filter(Boolean)),
    metricsRequireKey: e.DRIFTLOOP_METRICS_REQUIRE_KEY === 'true' || e.DRIFTLOOP_METRICS_REQUIRE_KEY === '1',
    publicUrl: e.DRIFTLOOP_PUBLIC_URL?.replace(/\/+$/, ''),
    splitSecret: e.DRIFTLOOP_SPLIT_SECRET,
    inputOrigins: e.DRIFTLOOP_INPUT_ORIGINS,
    logLevel: e.LOG_LEVEL,
    limits: e.DRIFTLOOP_MAX_CONNECTIONS_PER_ADDRESS === undefined ? DEFAULT_LIMITS : Object.freeze({ ...DEFAULT_LIMITS, maxConnectionsPerAddress: e.DRIFTLOOP_MAX_CONNECTIONS_PER_ADDRESS }),
    computeThreads: e.DRIFTLOOP_COMPUTE_THREADS ?? Math.min(os.availableParallelism(), MAX_DEFAULT_COMPUTE_THREADS),
    computeNiceness: e.DRIFTLOOP_COMPUTE_NICENESS,
    indexes: Object.freeze({
      pollMs: e.DRIFTLOOP_INDEX_POLL_MS,
      snapshotEveryMs: 5 * 60_000,
      duplicateWindow: e.DRIFTLOOP_DUPLICATE_WINDOW,
      searchReplicas: e.DRIFTLOOP_SEARCH_REPLICAS ?? os.availableParallelism(),
      searchNiceness: e.DRIFTLOOP_SEARCH_NICENESS,
    }),
  });
}

/** True for 127.0.0.0/8, ::1 and "localhost": addresses no other machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}
