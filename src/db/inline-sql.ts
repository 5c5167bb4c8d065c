import pg from 'pg';
import type { CompiledQuery } from 'kysely';

/**
 * The text of a compiled PostgreSQL statement with its parameters written in as literals (strings
 * quoted by `pg.escapeLiteral`), for a PL/pgSQL function to `EXECUTE`: the function then runs the
 * repository's own statement instead of a copy of it. `$name` placeholders (e.g. `$LIMIT` from
 * `sql.raw`) become the given positional parameters of that `EXECUTE … USING`. One pass over the
 * text, so a value that looks like a placeholder stays a value.
 */
export function inlineParameters(query: CompiledQuery, placeholders: Record<string, string> = {}): string {
  return query.sql.replace(/\$(\d+|[A-Z_]+)\b/g, (token, ref: string) => {
    if (!/^\d+$/.test(ref)) {
      const to = placeholders[ref];
      if (to === undefined) throw new Error(`no value for the placeholder ${token}`);
      return to;
    }
    const index = Number(ref) - 1;
    if (index >= query.parameters.length) throw new Error(`no parameter ${token}`);
    return literal(query.parameters[index]);
  });
}

function literal(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number' && Number.isFinite(value)) return `(${value})`;
  if (typeof value === 'boolean') return String(value);
  throw new Error(`cannot write ${typeof value} as a literal`);
}

/** A statement's text with some values left open, written in per use by {@link literalTemplate}. */
export type LiteralTemplate<K extends string> = (values: Record<K, string>) => string;

/**
 * {@link inlineParameters} for a statement built again and again with only some string values
 * changing (a claim's labeler and times): `build` runs once with a stand-in for each named value,
 * and its text is split where they are, so a use only writes the values in, without building,
 * compiling or scanning the text again. A value `build` derived from a named one instead of passing
 * it on would stay fixed at the stand-in's: `build` runs twice with different stand-ins, and
 * differing fixed parts throw.
 */
export function literalTemplate<K extends string>(names: readonly K[], build: (standIns: Record<K, string>) => CompiledQuery, placeholders: Record<string, string> = {}): LiteralTemplate<K> {
  // Stand-ins of two lengths, so even a length derived from one differs between the rounds.
  const [parts, again] = ['a', 'bbb'].map((round) => {
    const standIns = Object.fromEntries(names.map((name) => [name, `\u0000${name}\u0000${round}`])) as Record<K, string>;
    const slotOf = new Map(names.map((name) => [standIns[name], name]));
    const query = build(standIns);
    const slots = query.parameters.map((value) => (typeof value === 'string' ? slotOf.get(value) : undefined));
    const fixed = { ...query, parameters: query.parameters.map((value, i) => (slots[i] === undefined ? value : null)) };
    // One pass as inlineParameters makes; each named value's parameter becomes a slot marker.
    const text = inlineParameters({ ...fixed, sql: query.sql.replace(/\$(\d+)\b/g, (token, ref: string) => (slots[Number(ref) - 1] === undefined ? token : `\u0001${slots[Number(ref) - 1]}\u0001`)) }, placeholders);
    return text.split('\u0001');
  });
  const wellFormed = parts!.every((part, i) => (i % 2 === 0 ? !part.includes('\u0000') : (names as readonly string[]).includes(part)));
  if (!wellFormed || parts!.join('\u0001') !== again!.join('\u0001')) throw new Error('a value of the statement is derived from a named one: it cannot be a template');
  return (values) => parts!.map((part, i) => (i % 2 === 0 ? part : literal(values[part as K]))).join('');
}
