import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { isoNow, type Clock, type Timer } from '../util/clock.js';
import { backoffDelayMs, parseRetryAfter, type RetryPolicy } from './backoff.js';
import { postWebhook } from './post.js';
import { SIGNATURE_HEADER, signBody } from './signature.js';
import type { WebhookTargetPolicy } from './target-policy.js';
import { cancelDelivery, claimDueDeliveries, insertDeliveries, listDeliveriesOfEvents, nextDueAt, recordAttempt, releaseClaim, type DeliveryRow } from './webhooks.repository.js';

/** A webhook's current secret and retry policy. */
export interface WebhookTarget {
  secret: string | undefined;
  policy: RetryPolicy;
}

/** Looks a model's webhook up in its current settings; undefined once it was removed. */
export type WebhookTargetResolver = (modelId: number, url: string) => Promise<WebhookTarget | undefined>;

/** One event to send to some URLs. */
export interface WebhookMessage {
  modelId: number;
  eventType: string;
  eventId: number;
  body: string;
  urls: string[];
}

const BATCH = 16;
/** How long a claimed delivery stays with its instance: longer than the longest allowed attempt (60 s). */
const CLAIM_MS = 90_000;
/** Longest sleep between looks at the table: deliveries stored or given up by other instances are found by then. */
const POLL_MS = 10_000;

/**
 * Sends webhook deliveries stored in the database: one POST per delivery, signed, retried
 * with exponential backoff, every attempt recorded. Pending deliveries survive a restart:
 * `start()` picks them up. Instances sharing a database claim each delivery before sending
 * it, so one sends it; a delivery claimed by an instance that died is taken over once its
 * claim lapses (`CLAIM_MS`).
 */
export class WebhookDispatcher {
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly shutdown = new AbortController();

  constructor(
    private readonly db: Db,
    private readonly resolve: WebhookTargetResolver,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly targets: WebhookTargetPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** Stores one pending delivery per URL, in the caller's transaction; `kick()` after it commits. */
  static enqueue(db: Db, m: WebhookMessage, now: string): Promise<number[]> {
    return insertDeliveries(
      db,
      m.urls.map((url) => ({
        model_id: m.modelId,
        event_type: m.eventType,
        event_id: m.eventId,
        url,
        body: m.body,
        status: 'pending',
        next_attempt_at: now,
        last_status_code: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      })),
    );
  }

  /** The deliveries of some events of one type (their owners show them beside each event), oldest first. */
  static deliveriesOf(db: Db, eventType: string, eventIds: number[]): Promise<DeliveryRow[]> {
    return listDeliveriesOfEvents(db, eventType, eventIds);
  }

  /** Starts sending, beginning with whatever was pending before a restart. */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Sends what is due now, then sleeps until the next retry is due. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.log.error({ err }, 'webhook dispatch failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Stops timers and aborts in-flight requests; interrupted deliveries stay pending for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.shutdown.abort();
    await this.running;
  }

  private async drain(): Promise<void> {
    this.timer?.cancel();
    for (;;) {
      const now = this.clock.now().getTime();
      const due = await claimDueDeliveries(this.db, new Date(now).toISOString(), new Date(now + CLAIM_MS).toISOString(), BATCH);
      // Stopped while claiming: hand the claims back, or they would wait out CLAIM_MS unsent.
      if (this.stopped) return void (await Promise.all(due.map((d) => releaseClaim(this.db, d.id, isoNow(this.clock)))));
      if (due.length > 0) {
        await Promise.all(due.map((d) => this.attempt(d)));
        continue;
      }
      const next = await nextDueAt(this.db);
      const wait = next === undefined ? POLL_MS : Math.min(POLL_MS, Date.parse(next) - this.clock.now().getTime());
      // Came due while we looked (time moved on): claim again rather than wait for a timer.
      if (wait <= 0) continue;
      this.timer = this.clock.setTimer(wait, () => this.kick());
      return;
    }
  }

  private async attempt(d: DeliveryRow): Promise<void> {
    const target = await this.resolve(d.model_id, d.url);
    if (!target) {
      await cancelDelivery(this.db, d.id, 'webhook no longer in the model settings', isoNow(this.clock));
      return;
    }
    const { policy } = target;
    const attempt = d.attempts + 1;
    const attemptedAt = this.clock.now();
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let retryAfter: number | undefined;
    try {
      const res = await postWebhook(this.targets, d.url, {
        headers: this.headers(d, target, attempt),
        body: d.body,
        signal: AbortSignal.any([AbortSignal.timeout(policy.timeoutMs), this.shutdown.signal]),
      });
      statusCode = res.status;
      if (res.status < 200 || res.status >= 300) {
        error = `HTTP ${res.status}`;
        retryAfter = parseRetryAfter(res.retryAfter, this.clock.now().getTime());
      }
    } catch (err) {
      // Interrupted by shutdown: due again now, for this instance's next start or another instance.
      if (this.shutdown.signal.aborted) return void (await releaseClaim(this.db, d.id, isoNow(this.clock)));
      const e = err as Error;
      error = e.name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : (e.cause as Error | undefined)?.message ?? e.message;
    }
    const ok = error === null;
    const status = ok ? 'delivered' : attempt >= policy.maxAttempts ? 'failed' : 'pending';
    const now = this.clock.now().getTime();
    const next = status === 'pending' ? new Date(now + backoffDelayMs(policy, attempt, this.random(), retryAfter)).toISOString() : null;
    await recordAttempt(
      this.db,
      { delivery_id: d.id, attempt, attempted_at: attemptedAt.toISOString(), ok: ok ? 1 : 0, status_code: statusCode, error, duration_ms: performance.now() - started },
      { status, attempts: attempt, next_attempt_at: next, last_status_code: statusCode, last_error: error, updated_at: new Date(now).toISOString() },
    );
    const fields = { delivery: d.id, url: d.url, event: `${d.event_type}#${d.event_id}`, attempt, statusCode, error, next };
    if (ok) this.log.info(fields, 'webhook delivered');
    else this.log.warn(fields, status === 'failed' ? 'webhook failed; attempts exhausted' : 'webhook attempt failed; will retry');
  }

  private headers(d: DeliveryRow, target: WebhookTarget, attempt: number): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'driftloop-webhooks/1',
      'x-driftloop-event': d.event_type,
      'x-driftloop-delivery': String(d.id),
      'x-driftloop-attempt': String(attempt),
    };
    if (target.secret) headers[SIGNATURE_HEADER] = signBody(d.body, target.secret);
    return headers;
  }
}
