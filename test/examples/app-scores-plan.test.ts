import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { findAppTopScores } from '../../src/examples/examples.repository.js';
import { sqlitePlansOf } from '../support/query-plans.js';
import { tempDataDir } from '../support/server.js';

let database: DatabaseHandle | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

describe("the app's scores on examples (confidence_shift's reference, read at every drift evaluation)", () => {
  // It walked every example of the model (100k rows: 0.2 s on the event loop) to find the few with a score.
  it('when they are read, then SQLite walks the partial index of scored examples only', async () => {
    database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: undefined });
    let scores: number[] | undefined;
    const plans = await sqlitePlansOf(database, async (db) => (scores = await findAppTopScores(db, 1, 5000)));
    expect(scores).toEqual([]);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/USING INDEX examples_app_scores \(model_id=\?\)/);
  });
});
