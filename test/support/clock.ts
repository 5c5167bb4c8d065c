import type { Clock, Timer } from '../../src/util/clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that moves only when the test advances it; due timers fire in time order. */
export class ManualClock implements Clock {
  private current: number;
  private readonly timers = new Set<Pending>();
  private seq = 0;

  constructor(start: Date | number = Date.parse('2026-01-01T00:00:00.000Z')) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  setTimer(ms: number, fn: () => void): Timer {
    const pending: Pending = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(pending);
    return { cancel: () => void this.timers.delete(pending) };
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.size;
  }

  /** Whether a timer waits to fire at exactly `at` (ms since the epoch): what code under test armed, without waiting on its side effects. */
  hasTimerAt(at: number): boolean {
    return [...this.timers].some((t) => t.at === at);
  }

  /**
   * Moves time forward by `ms`, firing each timer that falls due on the way at its own
   * time, and lets the work they start run between timers.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const next = [...this.timers].filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers.delete(next);
      this.current = Math.max(this.current, next.at);
      next.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
