import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type { JobTable } from '../db/schema.js';
import type { JobStatus } from './job.js';

/** A job with its model's name. */
export type JobRow = Selectable<JobTable> & { model_name: string };

function selectJobs(db: Db) {
  return db.selectFrom('jobs').innerJoin('models', 'models.id', 'jobs.model_id').selectAll('jobs').select('models.name as model_name');
}

export async function insertJob(db: Db, row: Insertable<JobTable>): Promise<void> {
  await db.insertInto('jobs').values(row).execute();
}

export function findJob(db: Db, id: string): Promise<JobRow | undefined> {
  return selectJobs(db).where('jobs.id', '=', id).executeTakeFirst();
}

/** Updates a job only while it has one of `from` statuses; returns whether it did. */
export async function updateJobIf(db: Db, id: string, from: JobStatus[], patch: Updateable<JobTable>): Promise<boolean> {
  const result = await db.updateTable('jobs').set(patch).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Jobs with a status, oldest first. */
export function listJobsWithStatus(db: Db, status: JobStatus): Promise<JobRow[]> {
  return selectJobs(db).where('jobs.status', '=', status).orderBy('jobs.created_at').orderBy('jobs.id').execute();
}

/** The most recent job of a type for a model, optionally only among some statuses. */
export function latestJob(db: Db, modelId: number, type: string, statuses?: JobStatus[]): Promise<JobRow | undefined> {
  let q = selectJobs(db).where('jobs.model_id', '=', modelId).where('jobs.type', '=', type);
  if (statuses) q = q.where('jobs.status', 'in', statuses);
  return q.orderBy('jobs.created_at', 'desc').limit(1).executeTakeFirst();
}

/** Jobs per status, over every model. */
export async function countJobsByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('jobs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
