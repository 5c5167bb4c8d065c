import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isPostgres, LOCKS } from '../db/dialect.js';
import { inlineParameters } from '../db/inline-sql.js';
import { labelerLockKey } from './leases.repository.js';
import { leaseStatement, statusRuleSql, type ClaimItemRow } from './queue.repository.js';

/** What a claim by priority asks for. */
export interface ClaimAtOnce {
  modelId: number;
  labeler: string;
  limit: number;
  maxLeases: number;
  region?: number | undefined;
  expiresAt: string;
  now: string;
}

/**
 * On PostgreSQL, a claim by priority as one call (`queue_claim`, migration 0023): the labeler's
 * lock, expired leases given back, fresh items leased by {@link leaseStatement} (waiting for
 * locked candidates only when all are locked, as the claim in the service does) and the
 * labeler's live leases renewed, in one transaction on the server instead of about six round trips.
 * Returns the items (renewed first, then fresh, best first each) with the columns a claim hands
 * out; undefined on SQLite, whose claim runs the steps itself (a statement there is a call).
 */
export async function claimAtOnce(db: Db, claim: ClaimAtOnce): Promise<ClaimItemRow[] | undefined> {
  if (!isPostgres(db)) return undefined;
  const lease = (waitForLocked: boolean) => inlineParameters(leaseStatement(db, claim, sql.raw<number>('$LIMIT'), waitForLocked).compile(db), { LIMIT: '$1' });
  const { rows } = await sql<ClaimItemRow>`select * from queue_claim(${LOCKS.leaseExpiry}, ${LOCKS.labeler}, ${labelerLockKey(claim.modelId, claim.labeler)},
    ${claim.modelId}, ${claim.labeler}, ${claim.now}, ${claim.expiresAt}, ${claim.limit}, ${claim.maxLeases}, ${statusRuleSql(db)}, ${lease(false)}, ${lease(true)})`.execute(db);
  return rows;
}
