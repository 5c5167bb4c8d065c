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

/** Calls the model's JSON API with the page's session; throws ApiError on a refusal. */
export function modelApi(model: string): ModelApi {
  const base = '/v1/models/' + encodeURIComponent(model);
  return async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = (await res.json().catch(() => ({}))) as { error?: { message?: string; details?: ApiError['details'] } };
    if (!res.ok) throw new ApiError(data.error?.message || res.statusText, res.status, data.error?.details);
    return data as T;
  };
}
