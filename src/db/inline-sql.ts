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
