import type { Logger } from 'pino';
import type { Model } from '../models/model.js';

interface Pending {
  model: Model;
  count: number;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

/**
 * Runs a drift evaluation after ingestion, debounced per model: at once when
 * `drift.evaluateEvery` predictions are waiting, otherwise `drift.evaluateAfterSeconds`
 * after the first waiting one. Never two evaluations of a model at the same time.
 */
export class DriftTrigger {
  private readonly pending = new Map<number, Pending>();
  private stopped = false;

  constructor(
    private readonly evaluate: (model: Model) => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  /** Notes `count` committed predictions of `model` (the latest model object wins). */
  committed(model: Model, count: number): void {
    if (this.stopped) return;
    let p = this.pending.get(model.id);
    if (!p) this.pending.set(model.id, (p = { model, count: 0, timer: undefined, running: undefined }));
    p.model = model;
    p.count += count;
    this.schedule(p);
  }

  /** Cancels timers and waits for running evaluations. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
    await Promise.all([...this.pending.values()].map((p) => p.running));
  }

  private schedule(p: Pending): void {
    if (p.running || this.stopped || p.count === 0) return;
    const { evaluateEvery, evaluateAfterSeconds } = p.model.settings.drift;
    if (p.count >= evaluateEvery) {
      this.run(p);
    } else if (!p.timer) {
      p.timer = setTimeout(() => this.run(p), evaluateAfterSeconds * 1000);
      p.timer.unref();
    }
  }

  private run(p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = undefined;
    p.count = 0;
    p.running = this.evaluate(p.model)
      .then(() => undefined)
      .catch((err: unknown) => this.log.error({ err, model: p.model.name }, 'drift evaluation after ingestion failed'))
      .finally(() => {
        p.running = undefined;
        this.schedule(p);
      });
  }
}
