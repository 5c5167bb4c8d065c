import { pino } from 'pino';
import { createServices, type Services } from '../app.js';
import { loadConfig } from '../config.js';

/**
 * Opens the database in DRIFTLOOP_DATA_DIR through the same services the server uses, runs
 * `fn`, and closes it. Logs go to stderr so stdout stays clean for output.
 */
export async function withServices<T>(fn: (s: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
  const services = await createServices(config, log);
  try {
    return await fn(services);
  } finally {
    await services.database.close();
  }
}
