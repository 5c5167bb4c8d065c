import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { notIndexed } from '../../src/db/dialect.js';
import { insertItemsStatements } from '../../src/queue/new-items.repository.js';
import { findItemsStatements, updateItemWeightStatement, type NewQueueItemRow } from '../../src/queue/queue.repository.js';

// Compiling needs no server: a PostgreSQL pool connects only when a statement runs.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-item-statements-'));
const sqlite = new SQLite(path.join(dir, 'db.sqlite'));
const dbs: Record<'sqlite' | 'postgres', Db> = {
  sqlite: new Kysely({ dialect: new SqliteDialect({ database: sqlite }) }),
  postgres: new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool() }) }),
};

afterAll(async () => {
  await dbs.sqlite.destroy();
  await dbs.postgres.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

function item(i: number): NewQueueItemRow {
  return {
    model_id: 3,
    prediction_seq: 100 + i,
    prediction_id: `p-${i} it's "odd"`,
    status: 'pending',
    base_priority: i / 7,
    priority: 1 + i / 7,
    reasons_json: JSON.stringify(['ood']),
    split: i % 5 === 0 ? 'eval' : 'train',
    labels_needed: 1 + (i % 2),
    created_at: `2026-12-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
    last_seen_at: '2026-12-01T00:01:00.000Z',
    labeled_at: i % 3 === 0 ? null : '2026-12-01T00:02:00.000Z',
    weight: 1 + (i % 4),
  };
}

const compiled = (q: { sql: string; parameters: readonly unknown[] }) => ({ sql: q.sql, parameters: q.parameters });

describe('the review queue statements of an ingest batch', () => {
  it('when a batch opens items, then its inserts are the ones kysely builds for those rows, for any number of rows (kept shapes or not) and nulls', () => {
    for (const [dialect, db] of Object.entries(dbs)) {
      for (const count of [1, 2, 5, 5, 16, 17, 200, 201, 450]) {
        const rows = Array.from({ length: count }, (_, i) => item(i + count));
        const expected = [];
        for (let i = 0; i < rows.length; i += 200) expected.push(compiled(db.insertInto('queue_items').values(rows.slice(i, i + 200)).returning(['id', 'prediction_seq']).compile()));
        expect({ dialect, count, statements: insertItemsStatements(db, rows).map(compiled) }).toEqual({ dialect, count, statements: expected });
      }
      // Rows that do not all set the same columns are built as usual.
      const uneven: NewQueueItemRow[] = [item(1), { ...item(2), region: 4 }];
      expect(insertItemsStatements(db, uneven).map(compiled)).toEqual([compiled(db.insertInto('queue_items').values(uneven).returning(['id', 'prediction_seq']).compile())]);
    }
  });

  it('when items are read by id and their weight is updated, then the statements are the ones kysely builds for those values', () => {
    for (const db of Object.values(dbs)) {
      for (const ids of [[5], [9, 2, 7], Array.from({ length: 16 }, (_, i) => i * 3), Array.from({ length: 40 }, (_, i) => i)]) {
        const expected = db.selectFrom('queue_items').selectAll().where(notIndexed('model_id'), '=', 3).where('id', 'in', ids).compile();
        expect(findItemsStatements(db, 3, ids).map(compiled)).toEqual([compiled(expected)]);
      }
      for (const [id, fields] of [[4, { weight: 2, priority: 0.5, last_seen_at: 'a' }], [8, { weight: 7, priority: 3, last_seen_at: 'b' }]] as const) {
        expect(compiled(updateItemWeightStatement(db, id, fields))).toEqual(compiled(db.updateTable('queue_items').set(fields).where('id', '=', id).returning('id').compile()));
      }
    }
  });
});
