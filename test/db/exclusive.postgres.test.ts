import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { exclusively, LOCKS, tryExclusively } from '../../src/db/dialect.js';
import { createDatabase } from '../support/database.js';
import { tempDataDir } from '../support/server.js';

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

// Two database handles on one database stand for two instances.
describe('work done once across instances (advisory locks)', () => {
  let url: string;
  let a: DatabaseHandle;
  let b: DatabaseHandle;
  beforeAll(async () => {
    url = await createDatabase();
    a = await openDatabase({ dataDir: tempDataDir(), databaseUrl: url });
    b = await openDatabase({ dataDir: tempDataDir(), databaseUrl: url });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('when one instance holds a sweep, then another gives up at once, and takes it once the first is done', async () => {
    const entered = gate();
    const release = gate();
    const first = tryExclusively(a.db, 'driftEvaluate', 7, async () => {
      entered.open();
      await release.promise;
      return 'a';
    });
    await entered.promise;
    expect(await tryExclusively(b.db, 'driftEvaluate', 7, async () => 'b')).toEqual({ ran: false });
    expect(await tryExclusively(b.db, 'driftEvaluate', 8, async () => 'other key')).toEqual({ ran: true, value: 'other key' });
    release.open();
    expect(await first).toEqual({ ran: true, value: 'a' });
    expect(await tryExclusively(b.db, 'driftEvaluate', 7, async () => 'b')).toEqual({ ran: true, value: 'b' });
  });

  it('when the instance holding a sweep loses its connection (as kill -9 does), then the lock goes with it', async () => {
    const dying = await openDatabase({ dataDir: tempDataDir(), databaseUrl: url });
    const entered = gate();
    const stuck = gate();
    const held = tryExclusively(dying.db, 'driftEvaluate', 1, async () => {
      entered.open();
      await stuck.promise;
    });
    held.catch(() => undefined);
    await entered.promise;
    expect(await tryExclusively(b.db, 'driftEvaluate', 1, async () => 0)).toEqual({ ran: false });
    // pg_locks spans the cluster, which other test files share: this database's lock only.
    const { rows } = await sql<{ pid: number }>`
      select pid from pg_locks
      where locktype = 'advisory' and classid = ${LOCKS.driftEvaluate} and objid = 1 and objsubid = 2 and granted
        and database = (select oid from pg_database where datname = current_database())`.execute(b.db);
    expect(rows).toHaveLength(1);
    await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(b.db);
    // The backend exits (and its locks go) a moment after the signal.
    let taken: Awaited<ReturnType<typeof tryExclusively<string>>> = { ran: false };
    for (let i = 0; i < 500 && !taken.ran; i++) {
      taken = await tryExclusively(b.db, 'driftEvaluate', 1, async () => 'taken over');
      if (!taken.ran) await new Promise((r) => setTimeout(r, 20));
    }
    expect(taken).toEqual({ ran: true, value: 'taken over' });
    stuck.open();
    await expect(held).rejects.toThrow();
    await dying.close();
  });

  it('when two instances wait for the same lock, then their work runs one after the other', async () => {
    const order: string[] = [];
    const step = (name: string) => async () => {
      order.push(`${name}+`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`${name}-`);
    };
    await Promise.all([exclusively(a.db, 'jobDecision', 3, step('a')), exclusively(b.db, 'jobDecision', 3, step('b'))]);
    expect(order[0]![0]).toBe(order[1]![0]);
    expect(order[2]![0]).toBe(order[3]![0]);
  });
});
