import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { listExpiredAndLabelerLeases } from '../../src/queue/leases.repository.js';
import { sqlitePlansOf } from '../support/query-plans.js';
import { tempDataDir } from '../support/server.js';

let database: DatabaseHandle | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

// Every claim reads the model's expired leases and the labeler's own first. With the model
// outside the OR, SQLite walked every live lease of the model (about 550 at 50 claims/s and
// 10 s leases) and sorted them, on the event loop, for each claim.
describe('the leases a claim settles first', () => {
  it('when a claim reads them, then the expired ones come from the expiry index and the labeler’s from the labeler index', async () => {
    database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: undefined });
    const [plan] = await sqlitePlansOf(database, (db) => listExpiredAndLabelerLeases(db, 1, 'ann', '2026-12-01T00:00:00.000Z'));
    expect(plan).toContain('MULTI-INDEX OR');
    expect(plan).toMatch(/SEARCH l USING INDEX queue_leases_expiry \(model_id=\? AND expires_at<\?\)/);
    expect(plan).toMatch(/SEARCH l USING INDEX queue_leases_labeler \(model_id=\? AND labeler=\?\)/);
    expect(plan).not.toMatch(/queue_leases_labeler \(model_id=\?\)(;|$)/);
  });
});
