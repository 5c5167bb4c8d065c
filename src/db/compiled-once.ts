import type { Compilable, CompiledQuery } from 'kysely';
import type { Db } from './database.js';
import { isPostgres } from './dialect.js';

type Scalar = string | number;

/** The values a {@link compiledOnce} statement is bound to: scalars, lists of them (an `in` list, a column of rows), or an absent value. */
export type StatementValues = Record<string, Scalar | readonly (Scalar | null)[] | null | undefined>;

/** A statement of fixed shape: its compiled text, bound to the given values on each use. */
export type CompiledOnce<V extends StatementValues, R> = (db: Db, values: V) => CompiledQuery<R>;

interface Template {
  sql: string;
  query: CompiledQuery['query'];
  queryId: CompiledQuery['queryId'];
  /** Per parameter: the name (and list index) of the value it takes, or the fixed value. */
  slots: ({ name: string; index: number } | { fixed: unknown })[];
}

/**
 * A statement that kysely builds and compiles once per shape instead of on every call (on a hot
 * path such as a claim, building and compiling cost more than SQLite running the statement): each
 * use only binds the values to the compiled text. The shape is the dialect and, per value (and
 * per item of a list), whether it is absent, a string or a number, and a list's length (a list longer than 16 is
 * built as usual, so a statement keeps a bounded number of shapes); `build` may depend on the
 * shape only. It runs twice per shape with different stand-ins for the values, and throws if the two
 * differ anywhere but in them, or if a value does not reach the statement as a parameter (a value
 * derived from one, or used as SQL text, would otherwise stay fixed at its stand-in's). A handle
 * with plugins (`db.withPlugin`) is compiled on every call, through its plugins.
 */
export function compiledOnce<V extends StatementValues, R>(build: (db: Db, values: V) => Compilable<R>): CompiledOnce<V, R> {
  const templates = new Map<string, Template>();
  return (db, values) => {
    // A plugin rewrites statements as they compile, and a kept template was compiled without it
    // (or with another): a handle with plugins compiles every time.
    const key = db.getExecutor().plugins.length > 0 ? undefined : shapeKey(db, values);
    // A long list is a statement of its own shape seldom seen again (and building it is a small
    // part of running it): built as usual, so the kept shapes stay few.
    if (key === undefined) return build(db, values).compile();
    let template = templates.get(key);
    if (!template) {
      template = compileTemplate(db, values, build);
      templates.set(key, template);
    }
    const parameters = template.slots.map((slot) => {
      if ('fixed' in slot) return slot.fixed;
      const value = values[slot.name];
      return Array.isArray(value) ? value[slot.index] : value;
    });
    return { sql: template.sql, parameters, query: template.query, queryId: template.queryId };
  };
}

/** Lists longer than this are not kept as shapes. */
const LONGEST_KEPT_LIST = 16;

function shapeKey(db: Db, values: StatementValues): string | undefined {
  let key = isPostgres(db) ? 'p' : 's';
  for (const name in values) {
    const value = values[name];
    if (Array.isArray(value) && value.length > LONGEST_KEPT_LIST) return undefined;
    key += `|${name}:${Array.isArray(value) ? `${value.map(kind).join('')}` : kind(value)}`;
  }
  return key;
}

function kind(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null) return 'n';
  if (typeof value === 'string') return 's';
  if (typeof value === 'number') return 'd';
  throw new Error(`a compiled-once statement takes strings and numbers, not ${typeof value}`);
}

function compileTemplate<V extends StatementValues>(db: Db, values: V, build: (db: Db, values: V) => Compilable<unknown>): Template {
  const [first, second] = [0, 1].map((round) => {
    const standIns: StatementValues = {};
    const slotOf = new Map<unknown, { name: string; index: number }>();
    let n = 0;
    const standIn = (name: string, index: number, value: Scalar): Scalar => {
      n++;
      // Strings of two lengths and numbers far from any a statement holds, different in each round.
      const s = typeof value === 'string' ? `\u0000${name}[${index}]${round === 0 ? '' : '\u0000\u0000'}` : -(2 ** 40) - 4 * n - round;
      slotOf.set(s, { name, index });
      return s;
    };
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined || value === null) standIns[name] = value;
      else if (Array.isArray(value)) standIns[name] = value.map((v: Scalar | null, i) => (v === null ? null : standIn(name, i, v)));
      else standIns[name] = standIn(name, 0, value as Scalar);
    }
    const query = build(db, standIns as V).compile();
    const slots: Template['slots'] = query.parameters.map((p) => slotOf.get(p) ?? { fixed: p });
    const reached = new Set(slots.flatMap((s) => ('name' in s ? [`${s.name}[${s.index}]`] : [])));
    if (reached.size !== n) throw new Error('a value of a compiled-once statement does not reach it as a parameter');
    return { sql: query.sql, query: query.query, queryId: query.queryId, slots };
  });
  if (first!.sql !== second!.sql || JSON.stringify(first!.slots) !== JSON.stringify(second!.slots)) {
    throw new Error('a compiled-once statement depends on its values, not only on their shape');
  }
  return first!;
}
