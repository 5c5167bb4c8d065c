import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownerReads } from '../../../src/composition/ports.js';
import { openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import { SequentialDetector } from '../../../src/drift/sequential/sequential.service.js';
import { EventBus } from '../../../src/events/event-bus.js';
import type { Model } from '../../../src/models/model.js';
import { ModelsService } from '../../../src/models/models.service.js';
import { systemClock } from '../../../src/util/clock.js';
import { databaseUrlFor } from '../../support/database.js';
import { tempDataDir } from '../../support/server.js';

// Two detectors on one database stand for two instances ingesting for the same model.
describe('sequential detector across instances', () => {
  let database: DatabaseHandle;
  let model: Model;
  // An armed reference: eval calibration far above any minimum.
  const reference = async () => ({ key: 'ref-1', calibration: { source: 'eval' as const, size: 100_000 } });

  beforeEach(async () => {
    const dataDir = tempDataDir();
    database = await openDatabase({ dataDir, databaseUrl: await databaseUrlFor(dataDir) });
    const models = new ModelsService(database.db, new EventBus(), systemClock, ownerReads(database.db));
    model = (await models.put('m', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }] })).model;
  });
  afterEach(async () => {
    await database.close();
  });

  /** Real time, for a database round trip: until a backend of this database waits on a lock (a hang detector, not a timing assertion). */
  async function waitForLockWait(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
      if ((rows[0]?.n ?? 0) > 0) return;
      if (Date.now() > deadline) throw new Error('no transaction waited on the lock');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ seq: from + i, isOod: false }));

  it('when two instances take in batches for one model in overlapping transactions, then the state counts both batches', async () => {
    const a = new SequentialDetector(reference, systemClock);
    const b = new SequentialDetector(reference, systemClock);
    let commitA!: () => void;
    const heldOpen = new Promise<void>((resolve) => (commitA = resolve));
    let observedA!: () => void;
    const aObserved = new Promise<void>((resolve) => (observedA = resolve));
    const first = database.db.transaction().execute(async (trx) => {
      await a.observe(trx, model, batch(1, 30));
      observedA();
      await heldOpen;
    });
    await aObserved;
    // B's transaction runs while A's is still open, and A commits only once B waits on A's row.
    const second = database.db.transaction().execute((trx) => b.observe(trx, model, batch(31, 20)));
    await waitForLockWait();
    commitA();
    await Promise.all([first, second]);
    const status = await a.status(database.db, model);
    expect(status.observed).toBe(50);
  });

  it('when one instance stores two batches in overlapping transactions, then the second continues from the first and waits for its commit', async () => {
    const a = new SequentialDetector(reference, systemClock);
    await database.db.transaction().execute((trx) => a.observe(trx, model, batch(1, 10)));
    let commitFirst!: () => void;
    const heldOpen = new Promise<void>((resolve) => (commitFirst = resolve));
    let observedFirst!: () => void;
    const firstObserved = new Promise<void>((resolve) => (observedFirst = resolve));
    const first = database.db.transaction().execute(async (trx) => {
      await a.observe(trx, model, batch(11, 30));
      observedFirst();
      await heldOpen;
    });
    await firstObserved;
    const second = database.db.transaction().execute((trx) => a.observe(trx, model, batch(41, 20)));
    await waitForLockWait();
    commitFirst();
    await Promise.all([first, second]);
    expect((await a.status(database.db, model)).observed).toBe(60);
    expect((await a.status(database.db, model)).lastSeq).toBe(60);
  });

  it('when a batch rolls back, or another instance wrote since, then the next batch continues from the committed state', async () => {
    const a = new SequentialDetector(reference, systemClock);
    const b = new SequentialDetector(reference, systemClock);
    await database.db.transaction().execute((trx) => a.observe(trx, model, batch(1, 30)));
    const rolledBack = database.db.transaction().execute(async (trx) => {
      await a.observe(trx, model, batch(31, 20));
      throw new Error('the ingest transaction failed');
    });
    await expect(rolledBack).rejects.toThrow('the ingest transaction failed');
    await database.db.transaction().execute((trx) => a.observe(trx, model, batch(51, 10)));
    expect((await a.status(database.db, model)).observed).toBe(40);
    await database.db.transaction().execute((trx) => b.observe(trx, model, batch(61, 5)));
    await database.db.transaction().execute((trx) => a.observe(trx, model, batch(66, 5)));
    const status = await b.status(database.db, model);
    expect(status.observed).toBe(50);
    expect(status.lastSeq).toBe(70);
  });
});
