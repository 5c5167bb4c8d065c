/**
 * `driftloop/client`: the app type for `hono/client`, a small typed wrapper, and the fetch that
 * sends a request again after a 503 with Retry-After (busy-retry.ts). Only this file's
 * declarations (and the declarations they reference) reach a client's compile, never the server's source.
 */
import { hc, type InferResponseType } from 'hono/client';
import type { AppType } from '../app.js';
import { busyRetryingFetch, type BusyRetryOptions } from './busy-retry.js';

export type { AppType };
export { embeddingBase64 } from './embedding.js';
export { busyRetryingFetch, retryAfterMs, BUSY_ATTEMPTS, BUSY_JITTER, BUSY_MAX_WAIT_MS, type BusyRetry, type BusyRetryOptions } from './busy-retry.js';

/** The typed `hono/client` over every route. */
export type DriftloopRpc = ReturnType<typeof hc<AppType>>;

type ModelRoute = DriftloopRpc['v1']['models'][':model'];
/** A model with its counts, champion and every setting in force. */
export type ModelBody = InferResponseType<ModelRoute['$get'], 200>;
/** Every setting of a model (`GET /v1/models/{model}`). */
export type ModelSettings = ModelBody['settings'];
/** A trained version with its metrics, lineage and thresholds. */
export type VersionBody = InferResponseType<ModelRoute['versions']['$get'], 200>[number];
/** The drift report as JSON (`?format=json`); the route's other 200 is the HTML page, an untyped Response. */
export type DriftReportBody = Exclude<InferResponseType<ModelRoute['report']['$get'], 200>, Response>;
/** Current drift: status, score, the tests and history. */
export type DriftBody = InferResponseType<ModelRoute['drift']['$get'], 200>;

export interface ClientOptions {
  /** Where driftloop is reached, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** An API key; sent as `Authorization: Bearer <key>`. Omit it in open mode. */
  key?: string;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch;
  /**
   * How a 503 with Retry-After (a transaction the database rolled back: nothing was stored) is
   * sent again, by `rpc` and the methods alike: by default up to 4 attempts, each after what
   * Retry-After says plus up to half of it at random (jitter), at most 5 s. `false` sends every
   * request once.
   */
  retry?: BusyRetryOptions | false;
}

/** A driftloop error answer: the status and the JSON error shape. */
export class DriftloopError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = 'DriftloopError';
  }
}

/** The typed client: `rpc` is every route through `hono/client`; the methods read the answers most integrations need. */
export function createClient(options: ClientOptions) {
  const rpc = hc<AppType>(options.baseUrl.replace(/\/+$/, ''), {
    headers: options.key ? { authorization: `Bearer ${options.key}` } : {},
    fetch: clientFetch(options),
  });
  const models = rpc.v1.models[':model'];
  return {
    rpc,
    /** A model with every setting in force. */
    model: async (model: string): Promise<ModelBody> => ok(await models.$get({ param: { model } })),
    /** The model's versions, newest first. */
    versions: async (model: string): Promise<VersionBody[]> => ok(await models.versions.$get({ param: { model } })),
    /** Current drift. */
    drift: async (model: string): Promise<DriftBody> => ok(await models.drift.$get({ param: { model } })),
    /** The drift report as JSON. */
    report: async (model: string): Promise<DriftReportBody> => ok(await models.report.$get({ param: { model }, query: { format: 'json' } })),
  };
}

export type DriftloopClient = ReturnType<typeof createClient>;

function clientFetch(options: ClientOptions): typeof fetch {
  // Looked up per request, as hono/client does: a global fetch replaced later is the one used.
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  return options.retry === false ? send : busyRetryingFetch(send, options.retry);
}

/** The body of a 2xx answer, or a DriftloopError carrying the error shape. */
async function ok<T>(res: { ok: boolean; status: number; json(): Promise<unknown> }): Promise<T> {
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string; details?: unknown } } | undefined;
  if (!res.ok) throw new DriftloopError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `HTTP ${res.status}`, body?.error?.details);
  return body as T;
}
