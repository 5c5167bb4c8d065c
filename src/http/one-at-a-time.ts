import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { KeyedLock } from '../util/keyed-lock.js';

/** Hono variables set by {@link oneAtATime}. */
export interface TurnEnv {
  Variables: {
    /** Ends the request's turn before it is answered, so the next request of its key may start. */
    endTurn?: () => void;
  };
}

/**
 * Runs the requests it guards one at a time per key (per model for ingestion), each after a
 * turn of the event loop, so that short requests waiting meanwhile (queue claims, reads, and
 * another model's batch) are served between two heavy batches instead of behind all of them.
 * Different keys never wait for each other: one model's large batches cannot stall another's.
 * A request whose rest mostly waits on something else than this thread (a database server)
 * may end its turn early with `endTurn`.
 */
export function oneAtATime(keyOf: (c: Context) => string) {
  const lock = new KeyedLock<string>();
  return createMiddleware<TurnEnv>(async (c, next) => {
    let endTurn!: () => void;
    const ended = new Promise<void>((resolve) => (endTurn = resolve));
    c.set('endTurn', endTurn);
    let handled: Promise<void> | undefined;
    await lock.run(keyOf(c), async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      handled = next();
      await Promise.race([handled, ended]);
    });
    await handled;
  });
}
