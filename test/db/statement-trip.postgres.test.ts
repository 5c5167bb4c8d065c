import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { PREVIOUS_ROWS, StatementTrip } from '../../src/db/statement-trip.js';
import { createDatabase } from '../support/database.js';
import { tempDataDir } from '../support/server.js';

describe('statements of a transaction in one trip (PostgreSQL)', () => {
  let a: DatabaseHandle;
  let b: DatabaseHandle;
  beforeAll(async () => {
    const url = await createDatabase();
    a = await openDatabase({ dataDir: tempDataDir(), databaseUrl: url });
    b = await openDatabase({ dataDir: tempDataDir(), databaseUrl: url });
    await sql`create table trip_rows (id bigint primary key, note text)`.execute(a.db);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const insert = (db: DatabaseHandle['db'], id: number, note: string) => sql<{ id: number }>`insert into trip_rows (id, note) values (${id}, ${note}) returning id`.compile(db);

  it('when a trip runs, then its statements and the deferred ones go in one round trip, deferred ones after the guards, each answered with its rows', async () => {
    const queries = vi.spyOn(pg.Client.prototype, 'query');
    try {
      const answers = await a.db.transaction().execute(async (trx) => {
        const trip = new StatementTrip(trx);
        const deferred = trip.defer(insert(trx, 1, "it's deferred"));
        queries.mockClear();
        const run = await trip.run([
          { query: sql`select count(*) as n from trip_rows`.compile(trx), stopWhenEmpty: true },
          { query: sql`select note from trip_rows where id = ${1}`.compile(trx) },
        ]);
        expect(queries).toHaveBeenCalledTimes(1);
        return { run, deferred: await deferred };
      });
      // The guard ran before the deferred insert, the last statement after it.
      expect(answers.run).toEqual([[{ n: 0 }], [{ note: "it's deferred" }]]);
      expect(answers.deferred).toEqual([{ id: 1 }]);
    } finally {
      queries.mockRestore();
    }
  });

  it('when a guard answers no rows, then the trip ends there: later statements do not run and answer undefined', async () => {
    const { run, deferred } = await a.db.transaction().execute(async (trx) => {
      const trip = new StatementTrip(trx);
      const later = trip.defer(insert(trx, 2, 'never'));
      const answers = await trip.run([{ query: sql`select 1 as ok where false`.compile(trx), stopWhenEmpty: true }, { query: insert(trx, 3, 'never') }]);
      return { run: answers, deferred: await later };
    });
    expect(run).toEqual([[], undefined]);
    expect(deferred).toBeUndefined();
    expect((await sql<{ n: number }>`select count(*) as n from trip_rows where id in (2, 3)`.execute(a.db)).rows[0]!.n).toBe(0);
  });

  it('when a statement waits for a lock, then the statements after it see what the lock holder committed', async () => {
    let committed!: () => void;
    const release = new Promise<void>((resolve) => (committed = resolve));
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const holder = a.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${77}, ${1})`.execute(trx);
      await sql`insert into trip_rows (id, note) values (${10}, ${'by the holder'})`.execute(trx);
      locked();
      await release;
    });
    // The trip starts only once the holder has the lock: started together, the trip could take it first.
    await holding;
    const trip = b.db.transaction().execute(async (trx) =>
      new StatementTrip(trx).run([
        { query: sql`select 1 as locked from (select pg_advisory_xact_lock(${77}, ${1})) l`.compile(trx), stopWhenEmpty: true },
        { query: sql`select note from trip_rows where id = ${10}`.compile(trx) },
      ]),
    );
    // The holder commits only once the trip waits on the lock, seen in this database's lock table
    // (other test files' databases share the server and may be waiting on their own locks).
    for (;;) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from pg_locks
        where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`.execute(a.db);
      if (Number(rows[0]!.n) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    committed();
    await holder;
    expect(await trip).toEqual([[{ locked: 1 }], [{ note: 'by the holder' }]]);
  });

  it('when a statement of a trip fails, then the deferred statements fail with it and the transaction stores nothing', async () => {
    let deferred: Promise<unknown> | undefined;
    const failed = a.db.transaction().execute(async (trx) => {
      const trip = new StatementTrip(trx);
      deferred = trip.defer(insert(trx, 20, 'rolled back'));
      await trip.run([{ query: insert(trx, 10, 'a duplicate key') }]);
    });
    await expect(failed).rejects.toThrow(/duplicate key/);
    await expect(deferred).rejects.toThrow(/duplicate key/);
    expect((await sql<{ n: number }>`select count(*) as n from trip_rows where id = ${20}`.execute(a.db)).rows[0]!.n).toBe(0);
  });

  it('when a statement reads the previous rows, then it gets the answer of the statement before it, in the same round trip', async () => {
    const answers = await a.db.transaction().execute(async (trx) => {
      const trip = new StatementTrip(trx);
      return trip.run([
        { query: sql`insert into trip_rows (id, note) values (${30}, ${'first'}), (${31}, ${"it's second"}) returning id`.compile(trx) },
        { query: sql`select note from trip_rows where id = any(array(select (r ->> 'id')::bigint from jsonb_array_elements(${PREVIOUS_ROWS}) r)) order by id`.compile(trx), readsPrevious: true },
        { query: sql`select jsonb_array_length(${PREVIOUS_ROWS}) as n`.compile(trx), readsPrevious: true },
      ]);
    });
    expect(answers).toEqual([[{ id: 30 }, { id: 31 }], [{ note: 'first' }, { note: "it's second" }], [{ n: 2 }]]);
  });

  it('when a statement that reads the previous rows would follow deferred ones, then the trip refuses to run', async () => {
    await a.db.transaction().execute(async (trx) => {
      const trip = new StatementTrip(trx);
      void trip.defer(insert(trx, 40, 'deferred'));
      await expect(trip.run([{ query: sql`select ${PREVIOUS_ROWS} as rows`.compile(trx), readsPrevious: true }])).rejects.toThrow(/deferred/);
    });
  });
});
