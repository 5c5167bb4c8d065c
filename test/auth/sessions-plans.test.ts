import { describe, expect, it } from 'vitest';
import { deleteSessionsBeyond } from '../../src/auth/sessions.repository.js';
import { freshSqlitePlansOf } from '../support/query-plans.js';

describe("a sign-in's trim of its key's sessions", () => {
  it('when a key signs in, then the trim reads only that key\'s sessions, by their index, not the whole table', async () => {
    const plans = await freshSqlitePlansOf((db) => deleteSessionsBeyond(db, 'a'.repeat(64), 64), (sql) => sql.startsWith('delete'));
    expect(plans).toHaveLength(1);
    // The delete and its subquery of the newest sessions both search by the key.
    expect(plans[0]!.match(/SEARCH sessions USING (COVERING )?INDEX sessions_key_created \(key_hash=\?\)/g)).toHaveLength(2);
    expect(plans[0]).not.toMatch(/SCAN sessions/);
  });
});
