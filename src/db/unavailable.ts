import { DatabaseUnavailableError, hasErrorCode, ServiceUnavailableError } from '../errors.js';

// PostgreSQL SQLSTATEs that mean "the server is not there for you right now".
const UNAVAILABLE_STATES = /^(08|57P0[123]|53300)/;
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// What `pg` throws for a dropped connection or a full pool that stayed full; it sets no code.
const UNAVAILABLE_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated due to connection timeout)/;

/**
 * The error as a `DatabaseUnavailableError` when it says the database is unreachable (lost,
 * restarting, out of connections, or the pool's wait timed out); otherwise undefined.
 */
export function asDatabaseUnavailable(err: unknown): DatabaseUnavailableError | undefined {
  if (err instanceof DatabaseUnavailableError) return err;
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  const lost =
    (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) ||
    UNAVAILABLE_MESSAGES.test(err.message) ||
    (err instanceof AggregateError && err.errors.some((e) => asDatabaseUnavailable(e) !== undefined));
  return lost ? new DatabaseUnavailableError(`The database is unavailable; nothing of this request was stored (${err.message || 'connection refused'})`) : undefined;
}

// Conflicts between transactions that end one of them and leave the data as it was: PostgreSQL's
// serialization failure (40001), deadlock (40P01) and lock timeout (55P03); SQLite's busy file
// (another process holds its write lock past the busy timeout).
const CONFLICT_STATES = new Set(['40001', '40P01', '55P03']);
const CONFLICT_SQLITE = /^SQLITE_BUSY/;
/** Seconds a client waits before sending a request again that met a concurrent one. */
const CONFLICT_RETRY_SECONDS = 1;

/**
 * The error as a 503 with Retry-After when the database ended the request's transaction because
 * it met a concurrent one: the transaction rolled back, so nothing of the request was stored and
 * sending it again is safe. Such an error is the server's, never the client's, and not a 500:
 * a client should retry it, and an operator sees it counted apart from real faults. Otherwise
 * undefined.
 */
export function asTransientConflict(err: unknown): ServiceUnavailableError | undefined {
  if (!hasErrorCode(err, (code) => CONFLICT_STATES.has(code) || CONFLICT_SQLITE.test(code))) return undefined;
  return new ServiceUnavailableError('The request met a concurrent one in the database and was rolled back; nothing of it was stored. Send it again.', CONFLICT_RETRY_SECONDS);
}
