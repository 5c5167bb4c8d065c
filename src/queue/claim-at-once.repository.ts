import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isPostgres, LOCKS } from '../db/dialect.js';
import { inlineParameters } from '../db/inline-sql.js';
import { StatementTrip } from '../db/statement-trip.js';
import { claimDetailStatements, withDetails, type ClaimDetailRow, type PredictionDetail } from './claim-details.repository.js';
import { labelerLockKey } from './leases.repository.js';
import type { ExampleSummaryRow, QueueReads } from './queue.ports.js';
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

/** A claim's items in their order (renewed first, then fresh, best first each) with their details, and the examples their neighbours name. */
export interface ClaimedAtOnce {
  itemIds: number[];
  rows: ClaimDetailRow[];
  examples: ExampleSummaryRow[];
}

/**
 * On PostgreSQL, a claim by priority and its details in one round trip: the claim is one call
 * (`queue_claim`, migration 0023): the labeler's lock, expired leases given back, fresh items
 * leased by {@link leaseStatement} (waiting for locked candidates only when all are locked, as the
 * claim in the service does) and the labeler's live leases renewed, in one transaction on the
 * server instead of about six round trips; the predictions of the items it answers and the
 * examples their neighbours name are read after it in the same transaction (a {@link StatementTrip}
 * whose reads take the claim's rows, migration 0025), each with a snapshot of its own, so they see
 * every item the claim saw. Undefined on SQLite, whose claim runs the steps itself (a statement
 * there is a call).
 */
export async function claimAtOnce(db: Db, reads: QueueReads, claim: ClaimAtOnce): Promise<ClaimedAtOnce | undefined> {
  if (!isPostgres(db)) return undefined;
  const lease = (waitForLocked: boolean) => inlineParameters(leaseStatement(db, claim, sql.raw<number>('$LIMIT'), waitForLocked).compile(db), { LIMIT: '$1' });
  const call = sql<ClaimItemRow>`select * from queue_claim(${LOCKS.leaseExpiry}, ${LOCKS.labeler}, ${labelerLockKey(claim.modelId, claim.labeler)},
    ${claim.modelId}, ${claim.labeler}, ${claim.now}, ${claim.expiresAt}, ${claim.limit}, ${claim.maxLeases}, ${statusRuleSql(db)}, ${lease(false)}, ${lease(true)})`.compile(db);
  const [items, details, examples] = await new StatementTrip(db).run([{ query: call }, ...claimDetailStatements(db, reads, claim.modelId)]);
  const claimed = (items ?? []) as ClaimItemRow[];
  const bySeq = new Map(((details ?? []) as PredictionDetail[]).map((d) => [d.seq, d]));
  return { itemIds: claimed.map((r) => r.id), rows: withDetails(claimed, bySeq), examples: (examples ?? []) as ExampleSummaryRow[] };
}
