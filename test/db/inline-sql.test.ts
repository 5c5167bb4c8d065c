import { describe, expect, it } from 'vitest';
import { inlineParameters, literalTemplate } from '../../src/db/inline-sql.js';

describe('inlineParameters', () => {
  it('when parameters are strings, numbers, booleans and null, then each becomes its literal, strings quoted as PostgreSQL reads them', () => {
    const text = inlineParameters({ sql: 'select $1, $2, $3, $4, $10', parameters: ["o'neil \\ x", 12, true, null, 5, 6, 7, 8, 9, -2.5], query: undefined as never, queryId: undefined as never });
    expect(text).toBe(`select 'o''neil \\\\ x', (12), true, null, (-2.5)`.replace("'o''neil", " E'o''neil"));
  });

  it('when a value looks like a parameter or a placeholder, then it stays a value (one pass over the text)', () => {
    const text = inlineParameters({ sql: 'select $1 limit $LIMIT', parameters: ['$2 $LIMIT'], query: undefined as never, queryId: undefined as never }, { LIMIT: '$1' });
    expect(text).toBe(`select '$2 $LIMIT' limit $1`);
  });

  it('when a placeholder has no value, a parameter is missing or a value has no literal, then it throws', () => {
    const q = (sql: string, parameters: unknown[]) => ({ sql, parameters, query: undefined as never, queryId: undefined as never });
    expect(() => inlineParameters(q('limit $LIMIT', []))).toThrow(/LIMIT/);
    expect(() => inlineParameters(q('select $2', [1]))).toThrow(/\$2/);
    expect(() => inlineParameters(q('select $1', [Number.NaN]))).toThrow(/literal/);
    expect(() => inlineParameters(q('select $1', [{ a: 1 }]))).toThrow(/literal/);
  });
});

describe('literalTemplate', () => {
  const q = (text: string, parameters: unknown[]) => ({ sql: text, parameters, query: undefined as never, queryId: undefined as never });

  it('when a template is filled, then it gives what inlineParameters gives for the statement built with those values', () => {
    const build = (v: { labeler: string; at: string }) => q('select $1 from t where labeler = $2 and at <= $3 and n < $4 and labeler <> $2 limit $LIMIT', [7, v.labeler, v.at, 2.5]);
    const fill = literalTemplate(['labeler', 'at'], build, { LIMIT: '$1' });
    for (const values of [{ labeler: "o'neil \\", at: '2026-12-01T00:00:00.000Z' }, { labeler: '$1 $LIMIT', at: '' }]) {
      expect(fill(values)).toBe(inlineParameters(build(values), { LIMIT: '$1' }));
    }
  });

  it('when the statement derives a value from a named one, then making the template throws', () => {
    expect(() => literalTemplate(['labeler'], (v) => q('select $1', [v.labeler.length]))).toThrow(/derived/);
    expect(() => literalTemplate(['labeler'], (v) => q('select $1', [`%${v.labeler}`]))).toThrow(/derived/);
  });
});
