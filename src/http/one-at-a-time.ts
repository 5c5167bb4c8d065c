import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';

/**
 * Runs the requests it guards one at a time per key (per model for ingestion), each after a
 * turn of the event loop, so that short requests waiting meanwhile (queue claims, reads, and
 * another model's batch) are served between two heavy batches instead of behind all of them.
 * Different keys never wait for each other: one model's large batches cannot stall another's.
 */
export function oneAtATime(keyOf: (c: Context) => string) {
  const tails = new Map<string, Promise<void>>();
  return createMiddleware(async (c, next) => {
    const key = keyOf(c);
    const previous = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    tails.set(key, mine);
    try {
      await previous;
      await new Promise<void>((resolve) => setImmediate(resolve));
      await next();
    } finally {
      release();
      if (tails.get(key) === mine) tails.delete(key);
    }
  });
}
