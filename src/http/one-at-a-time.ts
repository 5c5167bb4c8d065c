import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { KeyedLock } from '../util/keyed-lock.js';

/**
 * Runs the requests it guards one at a time per key (per model for ingestion), each after a
 * turn of the event loop, so that short requests waiting meanwhile (queue claims, reads, and
 * another model's batch) are served between two heavy batches instead of behind all of them.
 * Different keys never wait for each other: one model's large batches cannot stall another's.
 */
export function oneAtATime(keyOf: (c: Context) => string) {
  const lock = new KeyedLock<string>();
  return createMiddleware((c, next) =>
    lock.run(keyOf(c), async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await next();
    }),
  );
}
