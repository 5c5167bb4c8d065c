import { setImmediate as nextTurn } from 'node:timers/promises';

/** Longest stretch of work between event-loop turns, so requests keep being served meanwhile. */
const TURN_MS = 15;

/** Tells a long synchronous loop when it is time to let the event loop run. */
export class TurnClock {
  private last = performance.now();

  /** Resolves at once while within the budget, else after one event-loop turn. */
  async tick(): Promise<void> {
    if (performance.now() - this.last < TURN_MS) return;
    await nextTurn();
    this.last = performance.now();
  }
}
