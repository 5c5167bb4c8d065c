/**
 * Bulk work on the event loop, one step per turn. A step waits for `turn()`, which resolves in a
 * turn of the event loop of its own, in call order, one waiter per turn; between two steps the
 * loop polls for I/O, so a short request that arrives meanwhile (a queue claim) runs before the
 * next step instead of behind every step in line. Awaiting `setImmediate` alone does not do that:
 * every callback queued before the check phase runs in the same phase, back to back.
 */
export class TurnLane {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  /** Steps waiting for their turn. */
  get depth(): number {
    return this.waiting.length;
  }

  /** Resolves in a turn of its own, after the steps that asked before. */
  turn(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // The step runs in the microtasks right after this callback; the next waits for the next turn.
      this.waiting.shift()!();
      this.schedule();
    });
  }
}
