import { busyRetryingFetch, type BusyRetry } from '../../../client/busy-retry.js';

/** A refused API call: its status, message and error details. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly details: { indexes?: number[] } | undefined,
  ) {
    super(message);
  }
}

/** The status and message of anything a call threw (a network failure has no status). */
export function failure(err: unknown): { status: number | undefined; message: string; details: ApiError['details'] } {
  if (err instanceof ApiError) return { status: err.status, message: err.message, details: err.details };
  return { status: undefined, message: err instanceof Error ? err.message : String(err), details: undefined };
}

/** A call of the model's JSON API. */
export type ModelApi = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** What the page shows while calls answered 503 with Retry-After wait to be sent again. */
export interface BusyStatus {
  /** A call was answered 503 (its `retry.attempt`-th attempt) and is sent again after `retry.waitMs`. */
  retrying(retry: BusyRetry): void;
  /** A call that was sent again got its last answer. */
  settled(): void;
}

/**
 * Calls the model's JSON API with the page's session; throws ApiError on a refusal. A 503 with
 * Retry-After (the database rolled the request back: nothing was stored) is sent again a few
 * times while `busy` shows it. Each call the page makes may be sent again: reads; a claim (it
 * hands back the labeler's live leases first); a label or skip (the same labeler's second label
 * of an item changes nothing); a renewal; a retraction (it takes back what is still there).
 */
export function modelApi(model: string, busy: BusyStatus): ModelApi {
  const base = '/v1/models/' + encodeURIComponent(model);
  return async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    let attempts = 1;
    const send = busyRetryingFetch((input, init) => fetch(input, init), {
      onRetry: (retry) => {
        attempts = retry.attempt + 1;
        busy.retrying(retry);
      },
    });
    let res: Response;
    try {
      res = await send(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } finally {
      if (attempts > 1) busy.settled();
    }
    const data = (await res.json().catch(() => ({}))) as { error?: { message?: string; details?: ApiError['details'] } };
    if (res.ok) return data as T;
    const message = res.status === 503 && attempts > 1 && res.headers.has('retry-after')
      ? 'the database stayed busy through ' + attempts + ' attempts; nothing was stored.'
      : data.error?.message || res.statusText;
    throw new ApiError(message, res.status, data.error?.details);
  };
}
