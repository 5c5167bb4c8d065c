/** A pending timer; cancelling a timer that already ran does nothing. */
export interface Timer {
  cancel(): void;
}

/**
 * Where domain time comes from: timestamps, lease expiry, cooldowns, debounces and retry
 * backoff. Tests inject a clock they advance instead of sleeping. Elapsed-time measurements
 * (durations in logs and metrics) use `performance.now()` and are not domain time.
 */
export interface Clock {
  now(): Date;
  /** Calls `fn` once `ms` of this clock's time has passed. Timers never keep the process alive. */
  setTimer(ms: number, fn: () => void): Timer;
}

/** The real clock. */
export const systemClock: Clock = Object.freeze({
  now: () => new Date(),
  setTimer(ms: number, fn: () => void): Timer {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
});

/** The clock's current time as an ISO string, the form the database stores. */
export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}

/** Resolves after `ms` of the clock's time. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}
