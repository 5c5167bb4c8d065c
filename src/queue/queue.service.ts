import type { Db } from '../db/database.js';
import { LeaseNotHeldError, NotFoundError } from '../errors.js';
import type { Model } from '../models/model.js';
import { isoNow, type Clock } from '../util/clock.js';
import { summarizeAgreement, type AgreementSummary } from './agreement-summary.js';
import { claimAtOnce, ClaimTexts } from './claim-at-once.repository.js';
import { listClaimDetails } from './claim-details.repository.js';
import type { QueueReads } from './queue.ports.js';
import { neighborSeqs, toClaimedItems, type ClaimedItem } from './claimed-item.js';
import { countLabelsByLabeler, countProposedConcepts, listLabelsOfSharedItems } from './labels.repository.js';
import { storedAnswer } from './label-rules.js';
import { expireLeases, releaseExpired } from './lease-expiry.js';
import type { SelectionService } from './selection/selection.service.js';
import { countSkipsByLabeler, extendLeases, findLease, insertLease, expiredToReleaseInClaim, lockLabelerListingLeases, lockLabelers, lockLeases } from './leases.repository.js';
import {
  boostOpenOod,
  clearBoosts,
  findItem,
  findPendingDepth,
  leaseBest,
  lockQueue,
  readCounts,
  refreshStatus,
  releaseExpiredAtOnce,
  setLabelsNeeded,
  takeSlot,
  type ClaimItemRow,
} from './queue.repository.js';

/** The queue summary of `GET .../queue`. */
export interface QueueStats {
  pending: number;
  leased: number;
  labeled: number;
  outOfScope: number;
  /** Open items (pending or leased) per reason; an item with two reasons counts under both. */
  byReason: Record<string, number>;
  labelers: { labeler: string; labeled: number; today: number; skipped: number }[];
  /** Concepts labelers proposed outside the taxonomy (open set), most proposed first. */
  newConcepts: { concept: string; labels: number; labelers: number }[];
  agreement?: AgreementSummary;
}

/** Claim rounds: a candidate can only be lost to a concurrent claim from another process. */
const CLAIM_ROUNDS = 3;

/** Leases, claims, queue statistics and drift boosts of the review queue. */
export class QueueService {
  private readonly claimTexts: ClaimTexts;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly reads: QueueReads,
    /** Orders fresh items by `queue.selection`; without it (or with `priority`) claims take the highest priority. */
    private readonly selection?: SelectionService,
  ) {
    this.claimTexts = new ClaimTexts(db);
  }

  /** Claim lease texts kept now, one per model and region claimed (bounded). */
  get leaseTextsHeld(): number {
    return this.claimTexts.leaseTextsHeld;
  }

  /**
   * Leases up to `limit` items to `labeler` in one transaction: the leases they
   * still hold first (renewed), then the best pending items they have not
   * skipped, leased or labeled. An item never has more live leases than open slots.
   * With `region`, fresh items come only from that region of `GET .../regions`.
   */
  async claim(model: Model, labeler: string, limit: number, region?: number): Promise<ClaimedItem[]> {
    const items = await this.claimItems(model, labeler, limit, region);
    // Only an empty answer looks: a region with nothing left (or no queued item, or gone from the
    // window) answers empty, as the page expects; an id never issued is a mistake to say so.
    if (items.length === 0 && region !== undefined) {
      const last = await this.reads.regions.lastIssuedRegion(this.db, model.id);
      if (region > last) throw new NotFoundError(`Model '${model.name}' has no region ${region} (${last === 0 ? 'none issued yet' : `ids run to ${last}`}); GET /v1/models/${model.name}/regions lists the current regions`);
    }
    return items;
  }

  private async claimItems(model: Model, labeler: string, limit: number, region?: number): Promise<ClaimedItem[]> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + model.settings.queue.leaseSeconds * 1000).toISOString();
    // Ranked before the transaction (it reads embeddings and runs the champion); the transaction
    // then takes slots in that order and passes over items another claim took meanwhile.
    const ranking = this.selection && model.settings.queue.selection !== 'priority';
    // Expired leases go back first, so the ranking sees their items as pending.
    if (ranking) await this.sweepExpiredLeases(model);
    const ranked = ranking ? await this.selection!.rank(model, labeler, Math.min(limit, model.settings.queue.maxLeases) * CLAIM_ROUNDS, region) : undefined;
    // On PostgreSQL a claim by priority is one round trip: the same steps as below, run on the server, and the details.
    const atOnce = ranking ? undefined : await claimAtOnce(this.db, this.claimTexts, { modelId: model.id, labeler, limit, maxLeases: model.settings.queue.maxLeases, region, expiresAt, now: now.toISOString() });
    if (atOnce) return toClaimedItems(atOnce.itemIds, atOnce.rows, atOnce.examples, expiresAt);
    // Expired leases go back first: on PostgreSQL in one statement of their own, just before.
    await releaseExpiredAtOnce(this.db, model.id, now.toISOString());
    const claimed = await this.db.transaction().execute(async (trx) => {
      // The labeler's lock and one read for the model's expired leases (on SQLite given back here)
      // and the labeler's own: on PostgreSQL one round trip. Not the model's queue lock, which
      // ingest holds to its commit (only the ranked walk's plain updates take it): fresh items are
      // taken FOR UPDATE SKIP LOCKED, so a claim waits for no row while any candidate is free,
      // and the counts they change are insert-only rows (migration 0023): no lock to wait on.
      const at = now.toISOString();
      const leases = await lockLabelerListingLeases(trx, model.id, labeler, at);
      // A ranked walk takes the queue lock before its leases, as renewals do: a lease sweep on an
      // instance whose clock is ahead deletes them under that lock (docs/queue.md, lock order).
      if (ranked) await lockQueue(trx, model.id);
      // The labeler's live leases next: one given back meanwhile by an instance whose clock is ahead is not handed out.
      const own = leases.filter((l) => l.labeler === labeler && l.expires_at > at);
      const mine = await lockLeases(trx, own.map((l) => Number(l.id)));
      await releaseExpired(trx, expiredToReleaseInClaim(trx, leases.filter((l) => l.expires_at <= at)), at);
      const live = own.filter((l) => mine.has(Number(l.id)));
      const held = live.slice(0, limit);
      // New leases stop at queue.maxLeases live ones, whatever `limit` asks for.
      const wanted = Math.min(limit - held.length, model.settings.queue.maxLeases - live.length);
      const fresh: number[] = [];
      // Items the lease statement returned with their columns: the details need not read them again.
      const leasedRows: ClaimItemRow[] = [];
      if (ranked) {
        for (const id of ranked) {
          if (fresh.length >= wanted) break;
          if (!(await takeSlot(trx, id))) continue;
          await insertLease(trx, { model_id: model.id, item_id: id, labeler, expires_at: expiresAt, created_at: now.toISOString() });
          fresh.push(id);
        }
        await refreshStatus(trx, fresh, now.toISOString());
      }
      // Concurrent claims rank the same items; whoever comes later and finds them taken gets the
      // rest by priority rather than an empty claim while items wait.
      // A claim that has taken nothing yet and finds every candidate row-locked (a drift boost
      // raising them all, an ingest adding weight) waits for one of those rows rather than answer
      // empty; the rounds after it pass over locked rows.
      for (let round = 0; round < CLAIM_ROUNDS && fresh.length < wanted; round++) {
        const leased = await leaseBest(trx, { modelId: model.id, labeler, limit: wanted - fresh.length, region, expiresAt, now: now.toISOString(), waitIfAllLocked: fresh.length === 0 });
        if (leased.length === 0) break;
        fresh.push(...leased.map((r) => r.id));
        leasedRows.push(...leased);
      }
      // Locked above: renewing them waits for nothing.
      await extendLeases(trx, held.map((l) => l.id), expiresAt);
      return { ids: [...held.map((l) => l.item_id), ...fresh], leasedRows };
    });
    return this.details(model, claimed.ids, expiresAt, claimed.leasedRows);
  }

  /** Extends the labeler's live lease on the item by `queue.leaseSeconds`. */
  async renew(model: Model, itemId: number, labeler: string): Promise<{ itemId: string; leaseExpiresAt: string }> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + model.settings.queue.leaseSeconds * 1000).toISOString();
    const renewed = await this.db.transaction().execute(async (trx) => {
      // The labeler's lock first, as their claims and labels take it: a claim of theirs has locked their leases already.
      await lockLabelers(trx, model.id, [labeler]);
      await lockQueue(trx, model.id);
      await expireLeases(trx, model.id, now.toISOString());
      // Locked: a claim (whose clock may run ahead) giving this lease back as expired meanwhile
      // commits first, and the renewal then finds it gone instead of extending nothing.
      const lease = await findLease(trx, model.id, itemId, labeler, true);
      if (lease) await extendLeases(trx, [lease.id], expiresAt);
      return lease !== undefined;
    });
    // Refused after the commit, so the expired leases given back above stay given back.
    if (!renewed) {
      if (!(await findItem(this.db, model.id, itemId))) throw new NotFoundError(`Model '${model.name}' has no queue item ${itemId}`);
      throw new LeaseNotHeldError(`'${labeler}' holds no live lease on item ${itemId}; claim again`);
    }
    return { itemId: String(itemId), leaseExpiresAt: expiresAt };
  }

  /** Counts by status and reason, per-labeler work, and agreement over items labeled more than once. */
  /** Pending items and the age of the oldest, cheap enough for every metrics scrape. */
  async pendingAge(model: Model): Promise<{ pending: number; oldestPendingSeconds: number | null }> {
    const { pending, oldestAt } = await findPendingDepth(this.db, model.id);
    return { pending, oldestPendingSeconds: oldestAt === null ? null : Math.max(0, (this.clock.now().getTime() - Date.parse(oldestAt)) / 1000) };
  }

  /** Labels per labeler, most first. */
  async labelsByLabeler(model: Model): Promise<{ labeler: string; labeled: number }[]> {
    const rows = await countLabelsByLabeler(this.db, model.id, isoNow(this.clock));
    return rows.map(({ labeler, labeled }) => ({ labeler, labeled })).sort((a, b) => b.labeled - a.labeled || a.labeler.localeCompare(b.labeler));
  }

  async stats(model: Model): Promise<QueueStats> {
    await this.sweepExpiredLeases(model);
    const { status, openByReason: byReason } = await readCounts(this.db, model.id);
    const today = this.clock.now();
    today.setUTCHours(0, 0, 0, 0);
    const labeled = await countLabelsByLabeler(this.db, model.id, today.toISOString());
    const skips = new Map((await countSkipsByLabeler(this.db, model.id)).map((s) => [s.labeler, Number(s.n)]));
    const labelers = [...new Set([...labeled.map((l) => l.labeler), ...skips.keys()])].sort().map((labeler) => {
      const l = labeled.find((x) => x.labeler === labeler);
      return { labeler, labeled: l?.labeled ?? 0, today: l?.since ?? 0, skipped: skips.get(labeler) ?? 0 };
    });
    const shared = await listLabelsOfSharedItems(this.db, model.id);
    const agreement = summarizeAgreement(shared.map((r) => ({ itemId: r.item_id, labeler: r.labeler, answer: storedAnswer(r) })));
    // Proposals of a concept that has joined the taxonomy since are no longer new.
    const taxonomy = new Set(model.concepts.map((c) => c.id));
    const newConcepts = (await countProposedConcepts(this.db, model.id)).filter((p) => !taxonomy.has(p.concept));
    return {
      pending: status.pending,
      leased: status.leased,
      labeled: status.labeled,
      outOfScope: status.out_of_scope,
      byReason,
      labelers,
      newConcepts,
      ...(agreement ? { agreement } : {}),
    };
  }

  /** Open items: what still waits for a labeler. */
  async depth(model: Model): Promise<{ pending: number; leased: number; labeled: number; outOfScope: number }> {
    const { status: s } = await readCounts(this.db, model.id);
    return { pending: s.pending, leased: s.leased, labeled: s.labeled, outOfScope: s.out_of_scope };
  }

  /** Returns expired leases' items to the queue. Claims and stats do this on their own. */
  async sweepExpiredLeases(model: Model): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await lockQueue(trx, model.id);
      return expireLeases(trx, model.id, isoNow(this.clock));
    });
  }

  /**
   * Favours drifted samples: raises open OOD items among the model's last
   * `drift.windowSize` predictions by `queue.driftBoost`. Call it again to reach
   * newer items; returns how many items it raised.
   */
  async boostRecentOod(model: Model): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await lockQueue(trx, model.id);
      const latest = await this.reads.predictions.latestSeq(trx, model.id);
      const oodSeqs = await this.reads.predictions.oodSeqsAfter(trx, model.id, Math.max(0, latest - model.settings.drift.windowSize));
      return boostOpenOod(trx, model.id, oodSeqs, model.settings.queue.driftBoost);
    });
  }

  /** Ends the drift preference (for example after retraining); returns how many items lost their boost. */
  clearDriftBoost(model: Model): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await lockQueue(trx, model.id);
      return clearBoosts(trx, model.id);
    });
  }

  /** Applies changed queue settings to open items. */
  async applySettings(model: Model): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockQueue(trx, model.id);
      await setLabelsNeeded(trx, model.id, model.settings.queue.labelsPerItem, isoNow(this.clock));
    });
  }

  private async details(model: Model, itemIds: number[], expiresAt: string, known: ClaimItemRow[] = []): Promise<ClaimedItem[]> {
    const rows = await listClaimDetails(this.db, this.reads.predictions, model.id, itemIds, known);
    const examples = await this.reads.examples.listExampleSummaries(this.db, model.id, [...new Set(rows.flatMap(neighborSeqs))]);
    return toClaimedItems(itemIds, rows, examples, expiresAt);
  }
}
