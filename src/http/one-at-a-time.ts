import { createMiddleware } from 'hono/factory';

/**
 * Runs the requests it guards one at a time, each after a turn of the event loop, so that
 * short requests waiting meanwhile (queue claims, reads) are served between two heavy
 * batches instead of behind all of them. The batches still run as fast as they come.
 */
export function oneAtATime() {
  let tail: Promise<void> = Promise.resolve();
  return createMiddleware(async (_c, next) => {
    const previous = tail;
    let release!: () => void;
    tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      await new Promise<void>((resolve) => setImmediate(resolve));
      await next();
    } finally {
      release();
    }
  });
}
