import { DatabaseUnavailableError } from '../errors.js';

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
