import type { Db } from '../db/database.js';
import { lockUntilCommit } from '../db/dialect.js';

/** One file of a published snapshot, as `files_json` lists it. */
export interface SnapshotFile {
  name: string;
  bytes: number;
  sha256: string;
  parts: number;
}

export interface SnapshotRow {
  highWater: number;
  files: SnapshotFile[];
}

/** The newest snapshot of the model's index `kind`, or undefined. */
export async function findSnapshot(db: Db, modelId: number, kind: string): Promise<SnapshotRow | undefined> {
  const row = await db
    .selectFrom('index_snapshots')
    .select(['high_water', 'files_json'])
    .where('model_id', '=', modelId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return row ? { highWater: Number(row.high_water), files: JSON.parse(row.files_json) as SnapshotFile[] } : undefined;
}

/** One part of one file's bytes. */
export async function readSnapshotPart(db: Db, modelId: number, kind: string, file: string, part: number): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('index_snapshot_parts')
    .select('data')
    .where('model_id', '=', modelId)
    .where('kind', '=', kind)
    .where('file', '=', file)
    .where('part', '=', part)
    .executeTakeFirst();
  return row?.data;
}

/** Takes the model's snapshot lock until `trx` ends: one publisher at a time, across instances. */
export function lockSnapshot(trx: Db, modelId: number): Promise<void> {
  return lockUntilCommit(trx, 'indexSnapshot', modelId);
}

/** Removes the parts of the model's snapshot `kind`, before new ones are written. */
export async function deleteSnapshotParts(trx: Db, modelId: number, kind: string): Promise<void> {
  await trx.deleteFrom('index_snapshot_parts').where('model_id', '=', modelId).where('kind', '=', kind).execute();
}

export async function insertSnapshotPart(trx: Db, modelId: number, kind: string, file: string, part: number, data: Buffer): Promise<void> {
  await trx.insertInto('index_snapshot_parts').values({ model_id: modelId, kind, file, part, data }).execute();
}

/** Records the snapshot's files and high-water mark, replacing the previous record. */
export async function upsertSnapshot(trx: Db, modelId: number, kind: string, snapshot: SnapshotRow, createdAt: string): Promise<void> {
  await trx.deleteFrom('index_snapshots').where('model_id', '=', modelId).where('kind', '=', kind).execute();
  await trx
    .insertInto('index_snapshots')
    .values({ model_id: modelId, kind, high_water: snapshot.highWater, files_json: JSON.stringify(snapshot.files), created_at: createdAt })
    .execute();
}
