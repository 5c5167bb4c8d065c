import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { createDatabase } from '../support/database.js';
import { tempDataDir } from '../support/server.js';

describe('migrations on PostgreSQL', () => {
  let url: string;
  let database: DatabaseHandle;
  beforeAll(async () => {
    url = await createDatabase();
    database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: url });
  });
  afterAll(() => database?.close());

  const columns = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
        `select table_name, column_name, data_type from information_schema.columns where table_schema = 'public' and table_name not like 'kysely_%'`,
      );
      return rows;
    } finally {
      await client.end();
    }
  };

  it('when every migration has run, then numbers are 64-bit integers or doubles and embeddings bytea, as wide as on SQLite', async () => {
    const rows = await columns();
    expect(rows.length).toBeGreaterThan(50);
    // 'real' is 4 bytes and 'integer' 32 bits on PostgreSQL: a migration must take its types from portable.ts.
    expect(rows.filter((r) => r.data_type === 'real' || r.data_type === 'integer').map((r) => `${r.table_name}.${r.column_name}`)).toEqual([]);
    expect(rows.filter((r) => r.column_name === 'embedding').map((r) => r.data_type)).toEqual(['bytea', 'bytea']);
  });

  it('when a second instance opens the same database, then the migrations are not run again and it opens', async () => {
    const again = await openDatabase({ dataDir: tempDataDir(), databaseUrl: url });
    const migrated = await again.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    await again.close();
    expect(migrated.length).toBeGreaterThanOrEqual(5);
    expect(new Set(migrated.map((m) => (m as { name: string }).name)).size).toBe(migrated.length);
  });

  it('when an embedding is stored, then it comes back as the same float32 bytes', async () => {
    const at = new Date().toISOString();
    const { id } = await database.db
      .insertInto('models')
      .values({ name: 'bytes', task: 'multiclass', embedding_dim: 3, encoder: null, metric: 'cosine', concepts_json: '[]', settings_json: '{}', created_at: at, updated_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    const embedding = Buffer.from(new Float32Array([0.1, -2.5, 3e-8]).buffer);
    await database.db
      .insertInto('examples')
      .values({ model_id: id, id: 'e', split: 'train', source: 'original', concepts_json: '[]', embedding, input_json: null, metadata_json: null, created_at: at })
      .execute();
    const row = await database.db.selectFrom('examples').select(['seq', 'embedding']).where('model_id', '=', id).executeTakeFirstOrThrow();
    expect(Buffer.compare(row.embedding, embedding)).toBe(0);
    expect(typeof row.seq).toBe('number');
  });
});
