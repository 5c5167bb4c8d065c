import type { CompiledQuery, Insertable, Selectable } from 'kysely';
import { compiledOnce } from '../../db/compiled-once.js';
import type { Db } from '../../db/database.js';
import { isPostgres } from '../../db/dialect.js';
import type { DriftSequentialTable } from '../../db/schema.js';

export type SequentialRow = Selectable<DriftSequentialTable>;

/** The model's state row; with `forUpdate`, row-locked until the transaction `db` ends (PostgreSQL). */
export function findSequentialState(db: Db, modelId: number, forUpdate = false): Promise<SequentialRow | undefined> {
  return db
    .selectFrom('drift_sequential')
    .selectAll()
    .where('model_id', '=', modelId)
    .$if(forUpdate, (q) => q.forUpdate())
    .executeTakeFirst();
}

/**
 * The model's state row, locked until the transaction `db` ends, for a read-modify-write:
 * two instances ingesting for one model then add their batches one after the other instead of
 * the second overwriting the first. On PostgreSQL a missing row is first created empty (a
 * reference key no reference has, so it reads as a fresh run) for the lock to hold; SQLite
 * runs one write transaction at a time already.
 */
export async function lockSequentialState(db: Db, modelId: number, at: string): Promise<SequentialRow | undefined> {
  if (!isPostgres(db)) return findSequentialState(db, modelId);
  const row = await findSequentialState(db, modelId, true);
  if (row) return row;
  await db
    .insertInto('drift_sequential')
    .values({ model_id: modelId, reference_key: '', statistic: 0, observed: 0, last_seq: null, started_at: at, alarm_at: null, alarm_seq: null, alarm_statistic: null, updated_at: at })
    .onConflict((oc) => oc.column('model_id').doNothing())
    .execute();
  return findSequentialState(db, modelId, true);
}

/** Writes the model's one state row (insert or replace). */
export async function saveSequentialState(db: Db, row: Insertable<DriftSequentialTable>): Promise<void> {
  const { model_id: _id, ...rest } = row;
  await db
    .insertInto('drift_sequential')
    .values(row)
    .onConflict((oc) => oc.column('model_id').doUpdateSet(rest))
    .execute();
}

/**
 * The statement that writes the model's state row only if it still is `expected` (same reference,
 * count and last prediction: every write changes the last two), answering the row when it did;
 * undefined when there is nothing to expect. On PostgreSQL an update that meets a row another
 * transaction is changing waits for it and then checks the committed row. Compiled once per
 * shape: it goes with every ingest batch, and kysely took longer to build it than SQLite to run it.
 */
export function updateSequentialStateIf(
  db: Db,
  row: SequentialRow,
  expected: Pick<SequentialRow, 'reference_key' | 'observed' | 'last_seq'>,
): CompiledQuery<Pick<SequentialRow, 'model_id'>> | undefined {
  if (expected.last_seq === null) return undefined;
  return updateStateIf(db, { ...row, expected_reference_key: expected.reference_key, expected_observed: expected.observed, expected_last_seq: expected.last_seq });
}

type UpdateIfValues = SequentialRow & { expected_reference_key: string; expected_observed: number; expected_last_seq: number };

const updateStateIf = compiledOnce((db, values: UpdateIfValues) => {
  const { model_id: modelId, expected_reference_key: referenceKey, expected_observed: observed, expected_last_seq: lastSeq, ...rest } = values;
  return db
    .updateTable('drift_sequential')
    .set(rest)
    .where('model_id', '=', modelId)
    .where('reference_key', '=', referenceKey)
    .where('observed', '=', observed)
    .where('last_seq', '=', lastSeq)
    .returning('model_id');
});
