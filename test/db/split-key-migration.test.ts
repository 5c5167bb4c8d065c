import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { databaseBefore } from '../support/migrated-before.js';

describe('migration 0033: a split key for every model', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('when models from before 0032 are opened, then each gets a random key of its own and a model that had one keeps it', async () => {
    const { dir, db: old } = await databaseBefore('0033', 'driftloop-split-key-');
    dirs.push(dir);
    const at = '2026-01-01T00:00:00.000Z';
    const model = (id: number, name: string, key: string | null) => ({ id, name, task: 'multiclass', embedding_dim: 2, encoder: null, metric: 'cosine', concepts_json: '[]', settings_json: '{}', created_at: at, updated_at: at, split_key: key });
    const kept = 'a'.repeat(64);
    await old.insertInto('models').values([model(1, 'old-1', null), model(2, 'old-2', null), model(3, 'keyed', kept)]).execute();
    await old.destroy();

    const handle = await openDatabase({ dataDir: dir, databaseUrl: undefined });
    try {
      const keys = new Map((await handle.db.selectFrom('models').select(['name', 'split_key']).execute()).map((r) => [r.name, r.split_key]));
      expect(keys.get('old-1')).toMatch(/^[0-9a-f]{64}$/);
      expect(keys.get('old-2')).toMatch(/^[0-9a-f]{64}$/);
      expect(keys.get('old-1')).not.toBe(keys.get('old-2'));
      expect(keys.get('keyed')).toBe(kept);
    } finally {
      await handle.close();
    }
  });
});
