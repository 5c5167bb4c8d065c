import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { asDatabaseUnavailable, asTransientConflict } from '../db/unavailable.js';
import { DomainError, isDiskFull, ServiceUnavailableError, type ErrorCode } from '../errors.js';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  validation_failed: 400,
  request_timeout: 408,
  headers_too_large: 431,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  method_not_allowed: 405,
  unsupported_media_type: 415,
  service_unavailable: 503,
  insufficient_storage: 507,
  database_unavailable: 503,
  internal: 500,
};

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
  503: 'service_unavailable',
  507: 'insufficient_storage',
};

/** The HTTP status of an error code. */
export function statusOf(code: ErrorCode): ContentfulStatusCode {
  return STATUS[code];
}

/** The JSON error shape every failure answers with. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The one place errors become HTTP answers. */
export function createErrorHandler(log: Logger) {
  return (thrown: Error, c: Context) => {
    const conflict = asTransientConflict(thrown);
    if (conflict) log.warn({ err: thrown, path: c.req.path }, 'transaction ended by a concurrent one: 503, nothing stored');
    const err = conflict ?? thrown;
    if (err instanceof ServiceUnavailableError) c.header('retry-after', String(err.retryAfterSeconds));
    if (err instanceof DomainError) return c.json(errorBody(err.code, err.message, err.details), STATUS[err.code]);
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      return c.json(errorBody(CODE_OF_STATUS[status] ?? 'bad_request', err.message || 'Bad request'), status);
    }
    if (isDiskFull(err)) {
      log.error({ err, path: c.req.path }, 'disk full: request refused, nothing stored');
      return c.json(errorBody('insufficient_storage', 'The disk holding the data folder is full; nothing of this request was stored. Retry once space is freed.'), 507);
    }
    const unavailable = asDatabaseUnavailable(err);
    if (unavailable) {
      log.warn({ err, path: c.req.path }, 'database unavailable');
      return c.json(errorBody(unavailable.code, unavailable.message), STATUS[unavailable.code]);
    }
    log.error({ err, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', 'Internal server error'), 500);
  };
}
