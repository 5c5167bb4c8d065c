import type { Logger } from 'pino';
import type { Model } from '../models/model.js';
import type { Clock, Timer } from '../util/clock.js';

interface Pending {
  model: Model;
  count: number;
  timer: Timer | undefined;
  /** When `timer` fires (clock ms). */
  timerAt: number;
  running: Promise<void> | undefined;
  lastRunAt: number;
  /** Another instance was evaluating the model: not before this time. */
  busyUntil: number;
}

/** How long to wait before trying again when another instance is evaluating the model. */
const BUSY_RETRY_MS = 1_000;

/**
 * Runs a drift evaluation after ingestion, debounced per model: when
 * `drift.evaluateEvery` predictions are waiting, otherwise `drift.evaluateAfterSeconds`
 * after the first waiting one. Never two evaluations of a model at the same time, and at
 * least `drift.minIntervalSeconds` between two starts, so sustained ingestion does not run
 * evaluations back to back on the event loop. `evaluate` resolves false when another
 * instance is evaluating the model: the waiting predictions stay counted, and the evaluation
 * is tried again later (it will see them, whichever instance received them).
 */
export class DriftTrigger {
  private readonly pending = new Map<number, Pending>();
  private stopped = false;

  constructor(
    private readonly evaluate: (model: Model) => Promise<boolean>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Notes `count` committed predictions of `model` (the latest model object wins). */
  committed(model: Model, count: number): void {
    if (this.stopped) return;
    let p = this.pending.get(model.id);
    if (!p) this.pending.set(model.id, (p = { model, count: 0, timer: undefined, timerAt: Infinity, running: undefined, lastRunAt: -Infinity, busyUntil: -Infinity }));
    p.model = model;
    p.count += count;
    this.schedule(p);
  }

  /**
   * Makes an evaluation of `model` due at once, as if `drift.evaluateEvery` predictions were
   * waiting: its reference changed (a new champion), so the stored verdict is stale. The same
   * spacing and the same one-instance-at-a-time rule apply.
   */
  due(model: Model): void {
    this.committed(model, model.settings.drift.evaluateEvery);
  }

  /** Cancels timers and waits for running evaluations. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.pending.values()) p.timer?.cancel();
    await Promise.all([...this.pending.values()].map((p) => p.running));
  }

  private schedule(p: Pending): void {
    if (p.running || this.stopped || p.count === 0) return;
    const { evaluateEvery, evaluateAfterSeconds, minIntervalSeconds } = p.model.settings.drift;
    const earliest = Math.max(p.lastRunAt + minIntervalSeconds * 1000, p.busyUntil);
    const now = this.clock.now().getTime();
    if (p.count >= evaluateEvery && now >= earliest) {
      this.run(p);
    } else {
      const wait = p.count >= evaluateEvery ? earliest - now : Math.max(evaluateAfterSeconds * 1000, earliest - now);
      // A timer set for later (the first prediction's `evaluateAfterSeconds`) gives way to a sooner one: the count is reached.
      if (p.timer && p.timerAt <= now + wait) return;
      p.timer?.cancel();
      p.timerAt = now + wait;
      p.timer = this.clock.setTimer(wait, () => this.run(p));
    }
  }

  private run(p: Pending): void {
    p.timer?.cancel();
    p.timer = undefined;
    p.timerAt = Infinity;
    const taken = p.count;
    p.count = 0;
    p.lastRunAt = this.clock.now().getTime();
    p.running = this.evaluate(p.model)
      .then((ran) => {
        if (ran) return;
        p.count += taken;
        p.busyUntil = this.clock.now().getTime() + BUSY_RETRY_MS;
      })
      .catch((err: unknown) => this.log.error({ err, model: p.model.name }, 'drift evaluation after ingestion failed'))
      .finally(() => {
        p.running = undefined;
        this.schedule(p);
      });
  }
}
