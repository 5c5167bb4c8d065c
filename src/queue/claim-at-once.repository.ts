import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isPostgres, LOCKS } from '../db/dialect.js';
import { literalTemplate, type LiteralTemplate } from '../db/inline-sql.js';
import { StatementTrip, type TripStatement } from '../db/statement-trip.js';
import { claimDetailStatements, withDetails, type ClaimDetailRow, type PredictionDetail } from './claim-details.repository.js';
import { labelerLockKey } from './leases.repository.js';
import type { ExampleSummaryRow } from './queue.ports.js';
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

/** Lease texts kept at most: a claim may name any region, so the kept texts are bounded. */
export const MAX_LEASE_TEXTS = 256;

/** A lease statement's text with the claim's own values left open. */
type LeaseText = LiteralTemplate<'labeler' | 'now' | 'expiresAt'>;

/**
 * The texts of claims by priority that depend only on the model and the region, built once: the
 * lease statements (passing over locked candidates, and waiting for them) with the labeler and the
 * times left open, and the details' reads. Building and compiling them with kysely and writing
 * their parameters in was about a third of the service's CPU per claim.
 */
export class ClaimTexts {
  private readonly leases = new Map<string, { skipping: LeaseText; waiting: LeaseText }>();
  private readonly details = new Map<number, TripStatement[]>();
  private statusRule: string | undefined;

  constructor(private readonly db: Db) {}

  /** Lease texts kept now (at most {@link MAX_LEASE_TEXTS}). */
  get leaseTextsHeld(): number {
    return this.leases.size;
  }

  lease(modelId: number, region: number | undefined): { skipping: LeaseText; waiting: LeaseText } {
    const key = `${modelId}:${region ?? ''}`;
    let texts = this.leases.get(key);
    if (!texts) {
      const template = (waitForLocked: boolean): LeaseText =>
        literalTemplate(['labeler', 'now', 'expiresAt'], (v) => leaseStatement(this.db, { modelId, region, ...v }, sql.raw<number>('$LIMIT'), waitForLocked).compile(this.db), { LIMIT: '$1' });
      texts = { skipping: template(false), waiting: template(true) };
      if (this.leases.size >= MAX_LEASE_TEXTS) this.leases.clear();
      this.leases.set(key, texts);
    }
    return texts;
  }

  /** The status rule `queue_claim` gives expired leases' slots back with. */
  status(): string {
    this.statusRule ??= statusRuleSql(this.db);
    return this.statusRule;
  }

  detailStatements(modelId: number): TripStatement[] {
    let statements = this.details.get(modelId);
    if (!statements) {
      statements = claimDetailStatements(this.db, modelId);
      this.details.set(modelId, statements);
    }
    return statements;
  }
}

/**
 * On PostgreSQL, a claim by priority and its details in one round trip: the claim is one call
 * (`queue_claim`, migrations 0023, 0027 and 0030): the labeler's lock, expired leases given back,
 * fresh items leased by {@link leaseStatement} (waiting for one locked candidate only when all are
 * locked, as the claim in the service does) and the labeler's live leases renewed, in one transaction on the
 * server instead of about six round trips; the predictions of the items it answers and the
 * examples their neighbours name are read after it in the same transaction (a {@link StatementTrip}
 * whose reads take the claim's rows, migration 0025), each with a snapshot of its own, so they see
 * every item the claim saw. Undefined on SQLite, whose claim runs the steps itself (a statement
 * there is a call).
 */
export async function claimAtOnce(db: Db, texts: ClaimTexts, claim: ClaimAtOnce): Promise<ClaimedAtOnce | undefined> {
  if (!isPostgres(db)) return undefined;
  const lease = texts.lease(claim.modelId, claim.region);
  const open = { labeler: claim.labeler, now: claim.now, expiresAt: claim.expiresAt };
  const call = sql<ClaimItemRow>`select * from queue_claim(${LOCKS.leaseExpiry}, ${LOCKS.labeler}, ${labelerLockKey(claim.modelId, claim.labeler)},
    ${claim.modelId}, ${claim.labeler}, ${claim.now}, ${claim.expiresAt}, ${claim.limit}, ${claim.maxLeases}, ${texts.status()}, ${lease.skipping(open)}, ${lease.waiting(open)})`.compile(db);
  const [items, details, examples] = await new StatementTrip(db).run([{ query: call }, ...texts.detailStatements(claim.modelId)]);
  const claimed = ((items ?? []) as ClaimItemRow[]).map((r) => numbersOf(r, ITEM_NUMBERS));
  const bySeq = new Map(((details ?? []) as PredictionDetail[]).map((d) => [d.seq, numbersOf(d, DETAIL_NUMBERS)]));
  return { itemIds: claimed.map((r) => r.id), rows: withDetails(claimed, bySeq), examples: (examples ?? []) as ExampleSummaryRow[] };
}

const ITEM_NUMBERS = ['priority', 'drift_boost'] as const;
const DETAIL_NUMBERS = ['ood_distance', 'ood_score', 'uncertainty', 'knn_agreement'] as const;

/** A trip's rows are jsonb, where a double that is not finite is a string ("Infinity", "NaN"): read back as the number a row of its own gives. */
function numbersOf<R extends Record<K, number>, K extends string>(row: R, keys: readonly K[]): R {
  return keys.some((k) => typeof row[k] !== 'number') ? { ...row, ...Object.fromEntries(keys.map((k) => [k, Number(row[k])])) } : row;
}
