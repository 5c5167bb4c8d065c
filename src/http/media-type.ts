import { createMiddleware } from 'hono/factory';
import { UnsupportedMediaTypeError } from '../errors.js';

export const JSON_TYPE = 'application/json';
export const NDJSON_TYPE = 'application/x-ndjson';

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  return header?.split(';', 1)[0]!.trim().toLowerCase() || undefined;
}

/** True when the request's body is NDJSON (exactly; `text/plain;x=ndjson` is not). */
export function isNdjson(header: string | undefined): boolean {
  return mediaTypeOf(header) === NDJSON_TYPE;
}

/**
 * Bodies must be exactly JSON (or NDJSON where `acceptsNdjson(path)`), uncompressed (a
 * `Content-Encoding` other than identity answers 415 with `Accept-Encoding: identity`, RFC 9110 §15.5.16). A browser may send
 * `text/plain`, form or multipart bodies to any site without asking first; refusing them here
 * means no web page can post data through a visitor's browser, whatever the route reads.
 */
export function requireMediaType(acceptsNdjson: (path: string) => boolean) {
  return createMiddleware(async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const type = mediaTypeOf(c.req.header('content-type'));
    const hasBody = type !== undefined || Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;
    if (!hasBody) return next();
    // A compressed body would reach the JSON parser as bytes and answer "malformed JSON": say what is wrong.
    const coding = c.req.header('content-encoding')?.trim().toLowerCase();
    if (coding && coding !== 'identity') {
      c.header('accept-encoding', 'identity');
      throw new UnsupportedMediaTypeError(`Content-Encoding ${coding} is not accepted: send the body uncompressed`);
    }
    if (type === JSON_TYPE || (type === NDJSON_TYPE && acceptsNdjson(c.req.path))) return next();
    const allowed = acceptsNdjson(c.req.path) ? `${JSON_TYPE} or ${NDJSON_TYPE}` : JSON_TYPE;
    // NDJSON sent to a JSON-only route is a guess from the examples upload: say where it is taken.
    const hint = type === NDJSON_TYPE ? ' (NDJSON is taken by POST /v1/models/{model}/examples only)' : '';
    throw new UnsupportedMediaTypeError(`Content-Type must be ${allowed}; got ${type ?? 'none'}${hint}`);
  });
}
