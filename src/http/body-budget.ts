/**
 * The bytes of request bodies held in memory at once, across every request. A body reserves
 * its size before it is read (or chunk by chunk when its length is not announced) and gives
 * it back when its response is done, so concurrent large uploads cannot exhaust memory.
 *
 * One owner (a key, or a session's key) holds at most half the budget: a body reserves what its
 * Content-Length announces, so four connections from one label key that announced 64 MiB each
 * and then sent a byte held the whole budget for the five minutes of a request's timeout, and
 * every other upload was answered 503 (found by a hostile-client review).
 */
export class BodyBudget {
  private held = 0;
  private readonly byOwner = new Map<string, number>();

  /** The most one owner may hold at once: half the budget, or one body of the largest size when that is more. */
  readonly ownerShare: number;

  constructor(
    readonly capacity: number,
    private readonly onChange: (inFlight: number) => void = () => undefined,
    /** The largest body a request may send. */
    maxBodyBytes = capacity,
  ) {
    this.ownerShare = Math.max(maxBodyBytes, Math.floor(capacity / 2));
  }

  /** Bytes reserved now. */
  get inFlight(): number {
    return this.held;
  }

  /** Reserves `bytes` for `owner` if they fit in the budget and in the owner's share; false (nothing reserved) otherwise. */
  tryReserve(bytes: number, owner?: string): boolean {
    if (this.held + bytes > this.capacity) return false;
    const own = owner === undefined ? 0 : (this.byOwner.get(owner) ?? 0);
    if (owner !== undefined && own + bytes > this.ownerShare) return false;
    this.held += bytes;
    if (owner !== undefined) this.byOwner.set(owner, own + bytes);
    this.onChange(this.held);
    return true;
  }

  release(bytes: number, owner?: string): void {
    if (bytes === 0) return;
    this.held = Math.max(0, this.held - bytes);
    if (owner !== undefined) {
      const left = (this.byOwner.get(owner) ?? 0) - bytes;
      if (left > 0) this.byOwner.set(owner, left);
      else this.byOwner.delete(owner);
    }
    this.onChange(this.held);
  }
}
