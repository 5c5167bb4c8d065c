import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import { lockUntilCommit } from '../db/dialect.js';
import type { ModelVersionTable } from '../db/schema.js';

type VersionRow = Selectable<ModelVersionTable>;
/** A version row without the eval confidences blob. */
export type VersionMetaRow = Omit<VersionRow, 'eval_confidences'>;

const META = [
  'id',
  'model_id',
  'version',
  'status',
  'job_id',
  'task',
  'concepts_json',
  'backend',
  'artifact_dir',
  'metrics_json',
  'thresholds_json',
  'lineage_json',
  'decision_json',
  'eval_accuracy',
  'data_as_of',
  'duration_ms',
  'created_at',
  'promoted_at',
  'retired_at',
] as const;

export async function nextVersionNumber(db: Db, modelId: number): Promise<number> {
  const row = await db
    .selectFrom('model_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('model_id', '=', modelId)
    .executeTakeFirst();
  return Number(row?.v ?? 0) + 1;
}

export async function insertVersion(db: Db, row: Insertable<ModelVersionTable>): Promise<VersionMetaRow> {
  return db.insertInto('model_versions').values(row).returning(META).executeTakeFirstOrThrow();
}

export function listVersionRows(db: Db, modelId: number): Promise<VersionMetaRow[]> {
  return db.selectFrom('model_versions').select(META).where('model_id', '=', modelId).orderBy('version').execute();
}

export function findVersionRow(db: Db, modelId: number, version: number): Promise<VersionMetaRow | undefined> {
  return db.selectFrom('model_versions').select(META).where('model_id', '=', modelId).where('version', '=', version).executeTakeFirst();
}

export function findChampionRow(db: Db, modelId: number): Promise<VersionMetaRow | undefined> {
  return db.selectFrom('model_versions').select(META).where('model_id', '=', modelId).where('status', '=', 'champion').executeTakeFirst();
}

/** The model's most recent version, whatever its status. */
export function findLatestVersionRow(db: Db, modelId: number): Promise<VersionMetaRow | undefined> {
  return db.selectFrom('model_versions').select(META).where('model_id', '=', modelId).orderBy('version', 'desc').limit(1).executeTakeFirst();
}

/** The champion's id, number and promotion time, without its JSON columns. */
export function findChampionMark(db: Db, modelId: number): Promise<{ id: number; version: number; promoted_at: string | null } | undefined> {
  return db.selectFrom('model_versions').select(['id', 'version', 'promoted_at']).where('model_id', '=', modelId).where('status', '=', 'champion').executeTakeFirst();
}

export async function findEvalConfidences(db: Db, id: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('model_versions').select('eval_confidences').where('id', '=', id).executeTakeFirst();
  return row?.eval_confidences;
}

/**
 * Serializes changes of the model's champion until `trx` ends, across instances: two promotions
 * at once would each retire the champion they saw and both stay champion.
 */
export function lockChampion(trx: Db, modelId: number): Promise<void> {
  return lockUntilCommit(trx, 'champion', modelId);
}

/** Retires the model's champion (if any) and makes `id` champion; the caller holds {@link lockChampion}. */
export async function makeChampion(db: Db, modelId: number, id: number, at: string, decisionJson: string): Promise<void> {
  await db
    .updateTable('model_versions')
    .set({ status: 'retired', retired_at: at })
    .where('model_id', '=', modelId)
    .where('status', '=', 'champion')
    .where('id', '!=', id)
    .execute();
  await db.updateTable('model_versions').set({ status: 'champion', promoted_at: at, retired_at: null, decision_json: decisionJson }).where('id', '=', id).execute();
}
