import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type KyselyPlugin } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledOnce } from '../../src/db/compiled-once.js';
import type { Db } from '../../src/db/database.js';

// Compiling needs no server: a PostgreSQL pool connects only when a statement runs.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-compiled-once-'));
const sqlite = new SQLite(path.join(dir, 'db.sqlite'));
sqlite.exec(`create table t (id integer primary key, labeler text not null, n integer not null)`);
const dbs: Record<'sqlite' | 'postgres', Db> = {
  sqlite: new Kysely({ dialect: new SqliteDialect({ database: sqlite }) }),
  postgres: new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool() }) }),
};
const any = (db: Db) => db as unknown as Kysely<any>;

afterAll(async () => {
  await dbs.sqlite.destroy();
  await dbs.postgres.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Values = { labeler: string; limit: number; ids: number[]; region: number | undefined };
const build = (db: Db, v: Values) =>
  any(db)
    .selectFrom('t')
    .select(['id', 'labeler', 'n'])
    .where('labeler', '=', v.labeler)
    .where('id', 'in', v.ids)
    .$if(v.region !== undefined, (q) => q.where('n', '=', v.region!))
    .where('labeler', '!=', 'fixed')
    .orderBy('id')
    .limit(v.limit);

describe('compiledOnce', () => {
  it('when bound to new values of the same or another shape, then it gives what kysely compiles for them, on both dialects', () => {
    for (const [dialect, db] of Object.entries(dbs)) {
      const statement = compiledOnce(build);
      const cases: Values[] = [
        { labeler: 'ann', limit: 3, ids: [1, 2], region: undefined },
        { labeler: "o'neil", limit: 1, ids: [7, 8], region: undefined },
        { labeler: 'bo', limit: 2, ids: [5], region: 4 },
        { labeler: 'cy', limit: 9, ids: [1, 2, 3], region: 0 },
        { labeler: 'ann', limit: 3, ids: [1, 2], region: undefined },
        { labeler: 'dee', limit: 4, ids: Array.from({ length: 40 }, (_, i) => i + 1), region: 2 },
      ];
      for (const values of cases) {
        const expected = build(db, values).compile();
        const bound = statement(db, values);
        expect({ dialect, sql: bound.sql, parameters: bound.parameters }).toEqual({ dialect, sql: expected.sql, parameters: expected.parameters });
      }
    }
  });

  it('when a reused statement runs with new values, then it answers the rows of those values', async () => {
    sqlite.exec(`insert into t (id, labeler, n) values (1, 'ann', 0), (2, 'ann', 4), (3, 'bo', 4), (4, 'bo', 4)`);
    const statement = compiledOnce(build);
    const run = async (v: Values) => (await dbs.sqlite.executeQuery(statement(dbs.sqlite, v))).rows;
    expect(await run({ labeler: 'ann', limit: 5, ids: [1, 2, 3], region: undefined })).toEqual([{ id: 1, labeler: 'ann', n: 0 }, { id: 2, labeler: 'ann', n: 4 }]);
    expect(await run({ labeler: 'bo', limit: 5, ids: [1, 2, 3], region: undefined })).toEqual([{ id: 3, labeler: 'bo', n: 4 }]);
    expect(await run({ labeler: 'bo', limit: 1, ids: [4, 3], region: 4 })).toEqual([{ id: 3, labeler: 'bo', n: 4 }]);
    expect(await run({ labeler: 'ann', limit: 5, ids: [1, 2, 3], region: 0 })).toEqual([{ id: 1, labeler: 'ann', n: 0 }]);
  });

  it('when lists hold nulls (the columns of rows to insert), then each pattern of nulls binds to what kysely compiles, and the rows stored are the ones given', async () => {
    sqlite.exec(`create table r (id integer primary key, a text, b integer)`);
    type Columns = { a: (string | null)[]; b: (number | null)[] };
    const insert = (db: Db, v: Columns) => any(db).insertInto('r').values(v.a.map((a, i) => ({ a, b: v.b[i] })));
    const cases: Columns[] = [
      { a: ['x', null], b: [1, 2] },
      { a: ['y', 'z'], b: [null, 3] },
      { a: [null, 'w'], b: [4, null] },
      { a: ['v', null], b: [5, 6] },
    ];
    for (const [dialect, db] of Object.entries(dbs)) {
      const statement = compiledOnce(insert);
      for (const values of cases) {
        const expected = insert(db, values).compile();
        const bound = statement(db, values);
        expect({ dialect, sql: bound.sql, parameters: bound.parameters }).toEqual({ dialect, sql: expected.sql, parameters: expected.parameters });
      }
    }
    // A statement built differently for a null item sees the null when it is built.
    const matching = (db: Db, v: Pick<Columns, 'b'>) =>
      any(db)
        .selectFrom('r')
        .select('id')
        .where((eb) => eb.or(v.b.map((b) => (b === null ? eb('b', 'is', null) : eb('b', '=', b)))));
    const matches = compiledOnce(matching);
    for (const { b } of cases) expect(matches(dbs.sqlite, { b }).sql).toBe(matching(dbs.sqlite, { b }).compile().sql);
    const statement = compiledOnce(insert);
    for (const values of cases) await dbs.sqlite.executeQuery(statement(dbs.sqlite, values));
    expect(sqlite.prepare('select a, b from r order by id').all()).toEqual(cases.flatMap((c) => c.a.map((a, i) => ({ a, b: c.b[i] }))));
  });

  it('when a handle with a plugin uses a statement compiled before without it, then the plugin sees and rewrites the statement', () => {
    const statement = compiledOnce(build);
    const values: Values = { labeler: 'ann', limit: 5, ids: [1, 2], region: undefined };
    const plain = statement(dbs.sqlite, values).sql;
    const seen: string[] = [];
    const droppingLimit: KyselyPlugin = {
      transformQuery: ({ node }) => {
        seen.push(node.kind);
        return { ...node, limit: undefined } as typeof node;
      },
      transformResult: async ({ result }) => result,
    };
    const rewritten = statement(any(dbs.sqlite).withPlugin(droppingLimit) as Db, values);
    expect(seen).toEqual(['SelectQueryNode']);
    expect(plain).toMatch(/limit \?$/);
    expect(rewritten.sql).not.toMatch(/limit/);
    // The plugin-free handle still gets the kept template.
    expect(statement(dbs.sqlite, { ...values, labeler: 'bo' }).sql).toBe(plain);
  });

  it('when the statement derives a value from one it is given, then binding it throws instead of reusing the stand-in', () => {
    const db = dbs.sqlite;
    const upper = compiledOnce((d, v: { labeler: string }) => any(d).selectFrom('t').select('id').where('labeler', '=', v.labeler.toUpperCase()));
    expect(() => upper(db, { labeler: 'ann' })).toThrow(/does not reach it/);
    // The same fixed value in both rounds: caught because the given value never reaches the statement.
    const atLeastOne = compiledOnce((d, v: { limit: number }) => any(d).selectFrom('t').select('id').limit(Math.max(v.limit, 1)));
    expect(() => atLeastOne(db, { limit: 3 })).toThrow(/does not reach it/);
  });

  it('when the SQL depends on a value itself, not only on its shape, then binding it throws', () => {
    const byParity = compiledOnce((d, v: { limit: number }) =>
      any(d)
        .selectFrom('t')
        .select('id')
        .$if(v.limit % 2 === 0, (q) => q.where('n', '=', 0))
        .limit(v.limit),
    );
    expect(() => byParity(dbs.sqlite, { limit: 2 })).toThrow(/not only on their shape/);
  });

  it('when a value is written into the SQL text, then binding it throws', () => {
    const literal = compiledOnce((d, v: { n: number }) => any(d).selectFrom('t').select('id').where('n', '=', sql.lit(v.n)));
    expect(() => literal(dbs.sqlite, { n: 2 })).toThrow(/not only on their shape|does not reach it/);
  });

  it('when a value is neither a string nor a number, then binding it throws', () => {
    const flag = compiledOnce((d, v: { on: number }) => any(d).selectFrom('t').select('id').where('n', '=', v.on));
    expect(() => flag(dbs.sqlite, { on: true as unknown as number })).toThrow(/strings and numbers/);
  });
});
