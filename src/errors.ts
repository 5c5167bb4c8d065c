/** Every error code the API can answer with. */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'request_timeout'
  | 'headers_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'service_unavailable'
  | 'insufficient_storage'
  | 'database_unavailable'
  | 'internal';

/** Base of all domain errors: a code the HTTP layer maps to a status, and optional details. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One bad record of a batch, by its position. */
export interface RecordProblem {
  index: number;
  field: string;
  message: string;
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, details);
  }
}

/** A batch with bad records: nothing of it is stored. `what` names the records, in the plural ("predictions"). */
export class BatchValidationError extends ValidationError {
  constructor(
    readonly problems: RecordProblem[],
    what = 'records',
    /** What the refusal means for the batch: a predict call's embeddings are scored, not stored. */
    outcome = 'nothing was stored',
  ) {
    const indexes = [...new Set(problems.map((p) => p.index))];
    const noun = indexes.length === 1 ? what.replace(/s$/, '') : what;
    super(`${indexes.length} invalid ${noun}; ${outcome}`, { indexes, problems: problems.slice(0, 100) });
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, details);
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(message: string) {
    super('payload_too_large', message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Missing or unknown API key') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** A labeler renewed a lease they do not hold (it expired, or was never theirs). */
export class LeaseNotHeldError extends ConflictError {
  constructor(message: string) {
    super(message);
  }
}

/** A body whose media type is not exactly one the route reads (JSON, or NDJSON where documented). */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(message: string) {
    super('unsupported_media_type', message);
  }
}

/** The server cannot take this now (for example: too many request bodies in flight); retry after `retryAfterSeconds`. */
export class ServiceUnavailableError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('service_unavailable', message, { retryAfterSeconds });
  }
}

/** Whether the error, or one of its causes up to five deep, carries a string `code` that `matches`. */
export function hasErrorCode(err: unknown, matches: (code: string) => boolean): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && matches(e.code)) return true;
  }
  return false;
}

/** True for the errors a full disk raises: SQLite's SQLITE_FULL, the file system's ENOSPC, PostgreSQL's 53100. */
export function isDiskFull(err: unknown): boolean {
  return hasErrorCode(err, (code) => code === 'SQLITE_FULL' || code === 'ENOSPC' || code === '53100');
}

/** The database cannot be reached (at start, or lost while running); nothing of the request was stored. */
export class DatabaseUnavailableError extends DomainError {
  constructor(message: string) {
    super('database_unavailable', message);
  }
}
