import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import { isPostgres, tryLockUntilCommit } from '../db/dialect.js';
import type { JobTable } from '../db/schema.js';
import type { JobStatus } from './job.js';

export type JobRow = Selectable<JobTable>;

function selectJobs(db: Db) {
  return db.selectFrom('jobs').selectAll('jobs');
}

export async function insertJob(db: Db, row: Insertable<JobTable>): Promise<void> {
  await db.insertInto('jobs').values(row).execute();
}

export function findJob(db: Db, id: string): Promise<JobRow | undefined> {
  return selectJobs(db).where('jobs.id', '=', id).executeTakeFirst();
}

/**
 * Updates a job only while it has one of `from` statuses (and, given `owner`, only while that
 * instance holds it: a runner that lost its lease changes nothing); returns whether it did.
 */
export async function updateJobIf(db: Db, id: string, from: JobStatus[], patch: Updateable<JobTable>, owner?: string): Promise<boolean> {
  let q = db.updateTable('jobs').set(patch).where('id', '=', id).where('status', 'in', from);
  if (owner !== undefined) q = q.where('owner', '=', owner);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Ends a running job only if its claim is still the one `seen` (same owner, same lease
 * expiry): two instances recovering the same expired job end it once, and a job whose owner
 * renewed its lease meanwhile is left alone.
 */
export async function endRunningJobIf(db: Db, seen: Pick<JobRow, 'id' | 'owner' | 'lease_expires_at'>, patch: Updateable<JobTable>): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set(patch)
    .where('id', '=', seen.id)
    .where('status', '=', 'running')
    .where((eb) => (seen.owner === null ? eb('owner', 'is', null) : eb('owner', '=', seen.owner)))
    .where((eb) => (seen.lease_expires_at === null ? eb('lease_expires_at', 'is', null) : eb('lease_expires_at', '=', seen.lease_expires_at)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Running jobs whose lease expired at or before `now` (or that never had one), or that `owner` held. */
export function listLapsedJobs(db: Db, now: string, owner: string): Promise<JobRow[]> {
  return selectJobs(db)
    .where('jobs.status', '=', 'running')
    .where((eb) => eb.or([eb('jobs.lease_expires_at', 'is', null), eb('jobs.owner', 'is', null), eb('jobs.lease_expires_at', '<=', now), eb('jobs.owner', '=', owner)]))
    .orderBy('jobs.created_at')
    .execute();
}

/** Extends a running job's lease while `owner` holds it; undefined when it no longer does. */
export async function renewJobLease(db: Db, id: string, owner: string, until: string): Promise<{ cancelRequested: boolean } | undefined> {
  const row = await db
    .updateTable('jobs')
    .set({ lease_expires_at: until })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('owner', '=', owner)
    .returning('cancel_requested')
    .executeTakeFirst();
  return row && { cancelRequested: row.cancel_requested === 1 };
}

/**
 * Claims the oldest queued job of one of `types` whose model runs no job, for `owner` until
 * `until`. Candidates are read `FOR UPDATE SKIP LOCKED` on PostgreSQL, and the model is
 * re-checked under a per-model lock (skipped when another instance holds it), so across instances a job starts once and a model runs
 * one job at a time.
 */
export async function claimNextJob(db: Db, types: string[], owner: string, now: string, until: string): Promise<string | undefined> {
  if (types.length === 0) return undefined;
  return db.transaction().execute(async (trx) => {
    const candidates = trx
      .selectFrom('jobs as j')
      .select(['j.id', 'j.model_id'])
      .where('j.status', '=', 'queued')
      .where('j.type', 'in', types)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('jobs as r').select('r.id').whereRef('r.model_id', '=', 'j.model_id').where('r.status', '=', 'running'))))
      .orderBy('j.created_at')
      .orderBy('j.id')
      .limit(8)
      .$if(isPostgres(trx), (qb) => qb.forUpdate('j').skipLocked());
    for (const candidate of await candidates.execute()) {
      // Another instance claiming for this model right now: leave the model to it.
      if (!(await tryLockUntilCommit(trx, 'jobClaim', candidate.model_id))) continue;
      const busy = await trx.selectFrom('jobs').select('id').where('model_id', '=', candidate.model_id).where('status', '=', 'running').executeTakeFirst();
      if (busy) continue;
      const claimed = await trx
        .updateTable('jobs')
        .set({ status: 'running', owner, lease_expires_at: until, started_at: now })
        .where('id', '=', candidate.id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) > 0) return candidate.id;
    }
    return undefined;
  });
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
