import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { asDatabaseUnavailable } from '../db/unavailable.js';
import { DatabaseUnavailableError } from '../errors.js';
import type { Clock, Timer } from '../util/clock.js';

/** How long one answer of the database stands for: load balancers ask every few seconds, a hostile client as often as it likes. */
const ANSWER_MS = 1_000;
/** A database that has not answered a trivial query by then counts as unavailable (a partition hangs rather than refuses). */
const TIMEOUT_MS = 2_000;

/**
 * Readiness for a load balancer (`GET /readyz`): whether this instance can serve requests now,
 * i.e. its database answers a trivial query in time. `GET /healthz` stays liveness (the process
 * answers), so an orchestrator restarts an instance whose event loop is stuck but only stops
 * routing to one whose database is gone. The instance listens only once its indexes are loaded
 * or caught up, so a listening instance needs no more than the database to be ready. One probe
 * at a time; its answer is reused for a second, so asking costs at most one query a second.
 */
export class Readiness {
  private last: { at: number; answer: Promise<void> } | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  /** Resolves when ready; rejects with a `DatabaseUnavailableError` otherwise. */
  check(): Promise<void> {
    const now = this.clock.now().getTime();
    if (this.last && now - this.last.at < ANSWER_MS) return this.last.answer;
    const answer = this.probe();
    this.last = { at: now, answer };
    return answer;
  }

  private async probe(): Promise<void> {
    let timer: Timer | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = this.clock.setTimer(this.timeoutMs, () => reject(new DatabaseUnavailableError(`The database did not answer within ${this.timeoutMs} ms`)));
    });
    try {
      await Promise.race([sql`select 1`.execute(this.db), late]);
    } catch (err) {
      throw asDatabaseUnavailable(err) ?? new DatabaseUnavailableError(`The database refused a trivial query (${err instanceof Error ? err.message : String(err)})`);
    } finally {
      timer?.cancel();
    }
  }
}
