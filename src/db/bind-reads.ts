import type { Db } from './database.js';

/** Repository functions with their `db` argument bound. */
export type BoundReads<F> = { [K in keyof F]: F[K] extends (db: Db, ...args: infer A) => infer R ? (...args: A) => R : never };

/**
 * Binds an owner's read repository (plain functions, `db` first) to one database: the object
 * the composition root hands to other features as the small ports they declare.
 */
export function bindReads<F extends Record<string, (db: Db, ...args: never[]) => unknown>>(db: Db, reads: F): BoundReads<F> {
  const bound: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(reads)) bound[name] = (...args: never[]) => fn(db, ...args);
  return bound as BoundReads<F>;
}
