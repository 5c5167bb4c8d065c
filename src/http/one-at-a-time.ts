import { createMiddleware } from 'hono/factory';
import { KeyedLock } from '../util/keyed-lock.js';

/**
 * Runs the requests it guards one at a time, each after a turn of the event loop, so that
 * short requests waiting meanwhile (queue claims, reads) are served between two heavy
 * batches instead of behind all of them. The batches still run as fast as they come.
 */
export function oneAtATime() {
  const lock = new KeyedLock<'all'>();
  return createMiddleware((_c, next) =>
    lock.run('all', async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await next();
    }),
  );
}
