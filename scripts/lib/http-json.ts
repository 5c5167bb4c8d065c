/** An HTTP answer with its body parsed as JSON, or kept as text when it is not JSON. */
export interface JsonAnswer {
  status: number;
  body: any;
}

/**
 * One JSON request against the driftloop API, shared by the demo, benchmarks and tests: the
 * body is sent as JSON (a string as it is, so tests can send broken JSON), with an optional
 * bearer key and any extra headers. It never throws on a status; callers decide what a 4xx means to them.
 */
export async function requestJson(baseUrl: string, method: string, path: string, body?: unknown, key?: string, extraHeaders: Record<string, string> = {}): Promise<JsonAnswer> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) headers.authorization = `Bearer ${key}`;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(baseUrl + path, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}
