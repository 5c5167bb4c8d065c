import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.js';
import { databaseBefore } from '../../support/migrated-before.js';

describe('migration 0006: drift event kind and sequential detector state', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('when a database with drift events from before 0006 is opened, then those events are of kind ood and the state table exists', async () => {
    const { dir, db: old } = await databaseBefore('0005', 'driftloop-kind-');
    dirs.push(dir);
    const at = '2026-01-01T00:00:00.000Z';
    await old.insertInto('models').values({ id: 1, name: 'm', task: 'multiclass', embedding_dim: 2, encoder: null, metric: 'cosine', concepts_json: '[]', settings_json: '{}', created_at: at, updated_at: at }).execute();
    await old.insertInto('drift_snapshots').values({ id: 1, model_id: 1, created_at: at, window_size: 500, window_count: 500, score: 0.3, threshold: 0.15, status: 'drift', tests_json: '[]' }).execute();
    await old.insertInto('drift_events').values({ model_id: 1, snapshot_id: 1, created_at: at, score: 0.3, threshold: 0.15, p_value: 1e-9, payload_json: '{}' }).execute();
    await old.destroy();

    const handle = await openDatabase({ dataDir: dir, databaseUrl: undefined });
    try {
      const events = await handle.db.selectFrom('drift_events').select(['id', 'kind']).execute();
      expect(events).toEqual([{ id: 1, kind: 'ood' }]);
      expect(await handle.db.selectFrom('drift_sequential').selectAll().execute()).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
