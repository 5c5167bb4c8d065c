import type { CompiledQuery } from 'kysely';
import { compiledOnce } from '../db/compiled-once.js';
import type { Db } from '../db/database.js';
import type { NewQueueItemRow, QueueItemRow } from './queue.repository.js';

/** Inserts items in one statement per 200; returns their ids, in the order of `rows`. */
export async function insertItems(db: Db, rows: NewQueueItemRow[]): Promise<number[]> {
  const inserted: InsertedItem[] = [];
  for (const query of insertItemsStatements(db, rows)) inserted.push(...(await db.executeQuery(query)).rows);
  return insertedIds(rows, inserted);
}

type InsertedItem = Pick<QueueItemRow, 'id' | 'prediction_seq'>;

/** The statements of {@link insertItems}, one per 200 rows, for a trip; {@link insertedIds} reads their answers. */
export function insertItemsStatements(db: Db, rows: NewQueueItemRow[]): CompiledQuery<InsertedItem>[] {
  const statements: CompiledQuery<InsertedItem>[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const columns = asColumns(chunk);
    statements.push(columns ? insertItemsOnce(db, columns) : db.insertInto('queue_items').values(chunk).returning(['id', 'prediction_seq']).compile());
  }
  return statements;
}

/** Rows of items as their columns, each the list of the rows' values: the values of {@link insertItemsOnce}. */
type ItemColumns = Record<string, (string | number | null)[]>;

/**
 * The insert of an ingest batch's new items (a handful per batch), compiled once per shape: the
 * columns and the number of rows (up to 16; more are built as usual).
 */
const insertItemsOnce = compiledOnce((db, columns: ItemColumns) => {
  const names = Object.keys(columns);
  const rows = columns[names[0]!]!.map((_, i) => Object.fromEntries(names.map((name) => [name, columns[name]![i]])));
  // The rows of asColumns, as they were.
  return db.insertInto('queue_items').values(rows as NewQueueItemRow[]).returning(['id', 'prediction_seq']);
});

/** `rows` as columns, if every row sets the same columns to strings, numbers or nulls. */
function asColumns(rows: NewQueueItemRow[]): ItemColumns | undefined {
  const columns: ItemColumns = {};
  const names = Object.keys(rows[0] ?? {});
  for (const name of names) columns[name] = [];
  for (const row of rows) {
    const entries = Object.entries(row);
    if (entries.length !== names.length) return undefined;
    for (const [name, value] of entries) {
      if (value !== null && typeof value !== 'string' && typeof value !== 'number') return undefined;
      const list = columns[name];
      if (!list) return undefined;
      list.push(value);
    }
  }
  return names.length > 0 ? columns : undefined;
}

/** The ids of inserted `rows`, in their order. */
export function insertedIds(rows: NewQueueItemRow[], inserted: InsertedItem[]): number[] {
  // Matched back by prediction (one item per prediction): neither database promises RETURNING's order.
  const ids = new Map(inserted.map((r) => [r.prediction_seq, r.id]));
  return rows.map((r) => ids.get(r.prediction_seq)!);
}
