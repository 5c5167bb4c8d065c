import { describe, expect, it } from 'vitest';
import { listExpiredAndLabelerLeases } from '../../src/queue/leases.repository.js';
import { freshSqlitePlansOf } from '../support/query-plans.js';

// Every claim reads the model's expired leases and the labeler's own first. With the model
// outside the OR, SQLite walked every live lease of the model (about 550 at 50 claims/s and
// 10 s leases) and sorted them, on the event loop, for each claim.
describe('the leases a claim settles first', () => {
  it('when a claim reads them, then the expired ones come from the expiry index and the labeler’s from the labeler index', async () => {
    const [plan] = await freshSqlitePlansOf((db) => listExpiredAndLabelerLeases(db, 1, 'ann', '2026-12-01T00:00:00.000Z'));
    expect(plan).toContain('MULTI-INDEX OR');
    expect(plan).toMatch(/SEARCH l USING INDEX queue_leases_expiry \(model_id=\? AND expires_at<\?\)/);
    expect(plan).toMatch(/SEARCH l USING INDEX queue_leases_labeler \(model_id=\? AND labeler=\?\)/);
    expect(plan).not.toMatch(/queue_leases_labeler \(model_id=\?\)(;|$)/);
  });
});
