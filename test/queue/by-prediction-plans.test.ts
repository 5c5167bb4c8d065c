import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { tagItemRegions } from '../../src/queue/item-regions.repository.js';
import { boostOpenOod } from '../../src/queue/queue.repository.js';
import { sqlitePlansOf } from '../support/query-plans.js';
import { tempDataDir } from '../support/server.js';

let database: DatabaseHandle | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

/** The SQLite plans of the statements `run` sends that name items by prediction. */
async function plansOf(run: (db: DatabaseHandle['db']) => Promise<unknown>): Promise<string[]> {
  database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: undefined });
  return sqlitePlansOf(database, run, (sql) => sql.includes('"prediction_seq" in'));
}

describe('statements that name queue items by prediction', () => {
  // Each was a scan of every item of the model (an index on model_id alone): 55 ms per statement at
  // 100k items, on the event loop, while claims waited.
  it('when regions are tagged onto items, then each update finds its items through the unique prediction_seq index', async () => {
    const plans = await plansOf((db) => tagItemRegions(db, 1, new Map([[10, 1], [11, 2], [12, 1]]), 5));
    expect(plans).toHaveLength(2);
    for (const plan of plans) expect(plan).toMatch(/USING (COVERING )?INDEX sqlite_autoindex_queue_items_1 \(prediction_seq=\?\)/);
  });

  it('when drift boosts the items of OOD predictions, then the update finds them through the unique prediction_seq index', async () => {
    const plans = await plansOf((db) => boostOpenOod(db, 1, [10, 11, 12], 0.5));
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/USING (COVERING )?INDEX sqlite_autoindex_queue_items_1 \(prediction_seq=\?\)/);
  });
});
