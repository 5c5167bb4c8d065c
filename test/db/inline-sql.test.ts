import { describe, expect, it } from 'vitest';
import { inlineParameters } from '../../src/db/inline-sql.js';

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
