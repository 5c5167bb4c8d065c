import { pino, type Logger } from 'pino';

/** The process logger: JSON lines on stdout. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'driftloop' } });
}
