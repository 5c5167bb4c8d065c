import type { Context } from 'hono';

/**
 * The scheme the client used to reach this server, where the server can tell: the connection's
 * own, or the first one a proxy names in `X-Forwarded-Proto` (a browser cannot set that header on
 * a request to another site without a preflight this server never answers). Undefined behind a
 * proxy that says nothing: the server listens on plain HTTP and cannot know what the browser saw.
 */
export function requestScheme(c: Context): 'http:' | 'https:' | undefined {
  if (new URL(c.req.url).protocol === 'https:') return 'https:';
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwarded === 'https') return 'https:';
  if (forwarded === 'http') return 'http:';
  return undefined;
}

/** True when the client reached this server over TLS (the session cookie is then `Secure`). */
export function isHttps(c: Context): boolean {
  return requestScheme(c) === 'https:';
}
