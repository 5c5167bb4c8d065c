import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { prepared } from '../../src/db/dialect.js';
import { createDatabase } from '../support/database.js';
import { tempDataDir } from '../support/server.js';

describe('statements marked prepared (PostgreSQL)', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: await createDatabase() });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('when a marked statement runs again on a connection, then the connection parsed it once and answers each call with its own values', async () => {
    const answers = await database.db.transaction().execute(async (trx) => {
      const values: number[] = [];
      for (const n of [1, 2, 3]) values.push((await sql<{ n: number }>`${prepared} select ${n}::int8 * 10 as n`.execute(trx)).rows[0]!.n);
      await sql`select ${4}::int8 as unmarked`.execute(trx);
      const held = await sql<{ statement: string }>`select statement from pg_prepared_statements where from_sql = false`.execute(trx);
      return { values, held: held.rows.map((r) => r.statement) };
    });
    expect(answers.values).toEqual([10, 20, 30]);
    expect(answers.held).toEqual(['/* prepared */ select $1::int8 * 10 as n']);
  });

  it('when a marked statement fails, then the connection still runs it afterwards', async () => {
    await sql`create table prepared_rows (id bigint primary key)`.execute(database.db);
    const insert = (id: number) => sql`${prepared} insert into prepared_rows (id) values (${id})`.execute(database.db);
    await insert(1);
    await expect(insert(1)).rejects.toThrow(/duplicate key/);
    await insert(2);
    expect((await sql<{ id: number }>`select id from prepared_rows order by id`.execute(database.db)).rows).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
