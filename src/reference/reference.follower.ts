import type { Logger } from 'pino';
import type { Model } from '../models/model.js';
import type { Clock, Timer } from '../util/clock.js';
import type { ReferenceRegistry } from './reference.registry.js';

/**
 * Keeps this instance's reference sets caught up with the examples any instance commits
 * (uploads, and labeled production items a promotion adds): every `pollMs` of the clock it
 * reads each model's examples after its set's high-water mark. Polling rather than
 * LISTEN/NOTIFY: it works on both databases, needs no connection held outside the pool, and
 * a missed notification (a reconnect) would need this poll anyway.
 */
export class ReferenceFollower {
  private timer: Timer | undefined;
  private stopped = true;
  private round: Promise<void> = Promise.resolve();

  constructor(
    private readonly references: ReferenceRegistry,
    private readonly models: () => Promise<Model[]>,
    private readonly clock: Clock,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops polling and waits for a round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.round;
  }

  /** One round: every model's set (with its current settings) takes what was committed since the last. */
  async poll(): Promise<void> {
    for (const model of await this.models()) await this.references.follow(model);
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(this.pollMs, () => {
      this.round = this.poll()
        .catch((err: unknown) => this.log.warn({ err }, 'reference index catch-up failed; retrying at the next poll'))
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
    });
  }
}
