import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { listClaimDetails } from '../../src/queue/claim-details.repository.js';
import { countItemsBetween, findItems, findPendingDepth } from '../../src/queue/queue.repository.js';
import { sqlitePlansOf } from '../support/query-plans.js';
import { tempDataDir } from '../support/server.js';

let database: DatabaseHandle | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

async function plansOf(run: (db: DatabaseHandle['db']) => Promise<unknown>, pick: (sql: string) => boolean): Promise<string[]> {
  database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: undefined });
  return sqlitePlansOf(database, run, pick);
}

const noPredictions = { predictionsBySeq: async () => new Map() } as unknown as Parameters<typeof listClaimDetails>[1];
const ITEMS = Array.from({ length: 40 }, (_, i) => 100 + i);

// Without statistics SQLite walked every item of the model on an index of model_id as soon as a
// statement named five items or more (more for the details of a claim): 80 ms per ingest batch at 1M items,
// on the event loop, while claims waited.
describe('statements that name queue items by id', () => {
  it('when ingest looks up the near-duplicate candidates of a batch, then it reads them by primary key', async () => {
    const plans = await plansOf((db) => findItems(db, 1, ITEMS), (sql) => sql.includes('from "queue_items"'));
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/^SEARCH queue_items USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
  });

  it('when a claim of many items reads their details, then it reads them by primary key', async () => {
    const plans = await plansOf((db) => listClaimDetails(db, noPredictions, 1, ITEMS), (sql) => sql.includes('from "queue_items"'));
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/^SEARCH queue_items USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
  });
});

// Every metrics scrape asks for it (twice): it counted and walked every pending item, about 3 s at
// 1M pending items with the event loop blocked, and claims and ingest batches waited behind it.
describe('the pending depth a metrics scrape reads', () => {
  it('when it is read, then the count comes from the kept counts and the oldest from the pending-age index, without a scan', async () => {
    const plans = await plansOf((db) => findPendingDepth(db, 1), () => true);
    expect(plans).toHaveLength(2);
    expect(plans.some((p) => /queue_counts/.test(p))).toBe(true);
    expect(plans.find((p) => /queue_items/.test(p))).toMatch(/^SEARCH queue_items USING COVERING INDEX queue_items_pending_age \(model_id=\?\)$/);
    for (const plan of plans) expect(plan).not.toMatch(/^SCAN/);
  });
});

// A restored near-duplicate index is checked against the items of its window: two counts of every
// item of the model up to the window's ends, 44–79 ms each at 1M items, on the event loop.
describe('the count that checks a restored near-duplicate index', () => {
  it('when the window is counted, then only its id range is read', async () => {
    const plans = await plansOf((db) => countItemsBetween(db, 1, 900_000, 1_000_000), (sql) => sql.includes('from "queue_items"'));
    expect(plans).toEqual(['SEARCH queue_items USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)']);
  });
});
