/**
 * The bytes of request bodies held in memory at once, across every request. A body reserves
 * its size before it is read (or chunk by chunk when its length is not announced) and gives
 * it back when its response is done, so concurrent large uploads cannot exhaust memory.
 */
export class BodyBudget {
  private held = 0;

  constructor(
    readonly capacity: number,
    private readonly onChange: (inFlight: number) => void = () => undefined,
  ) {}

  /** Bytes reserved now. */
  get inFlight(): number {
    return this.held;
  }

  /** Reserves `bytes` if they fit; false (nothing reserved) otherwise. */
  tryReserve(bytes: number): boolean {
    if (this.held + bytes > this.capacity) return false;
    this.held += bytes;
    this.onChange(this.held);
    return true;
  }

  release(bytes: number): void {
    if (bytes === 0) return;
    this.held = Math.max(0, this.held - bytes);
    this.onChange(this.held);
  }
}
