import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { bodyTooLarge } from './too-large.js';

/** The body the node server buffered for this request (`createHttpServer`), if it came that way. */
export function bufferedBody(c: Context): Buffer | undefined {
  const raw = (c.env as { incoming?: { rawBody?: unknown } } | undefined)?.incoming?.rawBody;
  return raw instanceof Buffer ? raw : undefined;
}

/**
 * Refuses bodies over `maxBytes` with the API's 413. A body the node server buffered was held to
 * the same limit before it was read, and a GET or HEAD has none: neither goes through hono's
 * `bodyLimit`, whose look at `c.req.raw.body` makes the node adapter build a whole fetch
 * Request (headers, stream, abort signal) for every request.
 */
export function limitBodies(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw bodyTooLarge(maxBytes);
    },
  });
  return createMiddleware(async (c, next) => {
    const method = c.req.method;
    const buffered = bufferedBody(c);
    if (method === 'GET' || method === 'HEAD' || (buffered && buffered.length <= maxBytes)) return next();
    return limit(c, next);
  });
}
