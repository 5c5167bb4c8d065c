/**
 * Sending a request again when driftloop answers 503 with `Retry-After`: the database ended its
 * transaction because it met a concurrent one (or the server's budget of request bodies was
 * full), the transaction rolled back and nothing of the request was stored, so the same request
 * may be sent again. No Node or DOM import: `driftloop/client` and the labeling page share it.
 */

/** How a 503 with Retry-After is sent again. */
export interface BusyRetryOptions {
  /** Attempts in all, the first one included (default 4); 1 sends once and never again. */
  attempts?: number;
  /** The longest wait before sending again, in milliseconds, whatever Retry-After asks (default 5,000). */
  maxWaitMs?: number;
  /** Told before each wait, e.g. to show "database busy, retrying…". */
  onRetry?: (retry: BusyRetry) => void;
  /**
   * A number in [0, 1) for each wait's jitter (default `Math.random`): each wait is Retry-After
   * plus up to {@link BUSY_JITTER} of it, so clients refused at once do not all send again at once.
   */
  random?: () => number;
}

/** A 503 with Retry-After that will be sent again after `waitMs`. */
export interface BusyRetry {
  /** The attempt that was answered 503, from 1. */
  attempt: number;
  attempts: number;
  waitMs: number;
}

export const BUSY_ATTEMPTS = 4;
export const BUSY_MAX_WAIT_MS = 5_000;
/** The most a wait adds to what Retry-After asks, as a fraction of it. */
export const BUSY_JITTER = 0.5;

/**
 * A wait with jitter: `waitMs` plus up to {@link BUSY_JITTER} of it, drawn from `random` (in
 * [0, 1)), at most `maxWaitMs`. Every wait before trying again after a refusal takes it, so
 * clients refused at once do not all come back at once.
 */
export function jitteredWaitMs(waitMs: number, random: () => number, maxWaitMs = Number.POSITIVE_INFINITY): number {
  return Math.min(Math.round(waitMs * (1 + BUSY_JITTER * random())), maxWaitMs);
}

/** The wait Retry-After asks for, in milliseconds (delay-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date starts with the day's name; Date.parse alone would take '-1' for a year.
  const at = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * `fetchFn` that sends a request again while it is answered 503 with Retry-After, waiting what
 * Retry-After says plus up to half of it at random (capped), up to `attempts` in all. Every other answer, and the last 503, go to
 * the caller as they are; so do network errors (the request may have been stored). A body that
 * can be read once only (a stream) is sent once.
 */
export function busyRetryingFetch(fetchFn: typeof fetch, options: BusyRetryOptions = {}): typeof fetch {
  const attempts = Math.max(1, Math.floor(options.attempts ?? BUSY_ATTEMPTS));
  const maxWaitMs = options.maxWaitMs ?? BUSY_MAX_WAIT_MS;
  const random = options.random ?? Math.random;
  return async (input, init) => {
    if (typeof ReadableStream !== 'undefined' && init?.body instanceof ReadableStream) return fetchFn(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    for (let attempt = 1; ; attempt++) {
      const res = await fetchFn(input instanceof Request ? input.clone() : input, init);
      const waitMs = res.status === 503 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
      if (waitMs === undefined || attempt >= attempts) return res;
      await res.body?.cancel().catch(() => undefined);
      const retry = { attempt, attempts, waitMs: jitteredWaitMs(waitMs, random, maxWaitMs) };
      options.onRetry?.(retry);
      await wait(retry.waitMs, signal ?? undefined);
    }
  };
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
