/** Hands out shared buffers of at least `bytes` bytes; their contents are undefined (the caller overwrites them). */
export type SharedBuffers = (bytes: number) => SharedArrayBuffer;

/** A fresh buffer every time. */
export const freshBuffers: SharedBuffers = (bytes) => new SharedArrayBuffer(bytes);

/**
 * Shared memory kept from one MMD test for the next. A 1,000-point test at 512 dims takes about
 * 10 MB of shared buffers; allocated anew for every drift evaluation they counted as external
 * memory and brought a major garbage collection (its pause on the event loop) every few
 * evaluations. Tests running at once each get their own buffers.
 */
export class SharedScratch {
  private readonly free: SharedArrayBuffer[] = [];

  /** `keep`: buffers kept between tests at most (the largest are kept). */
  constructor(private readonly keep = 8) {}

  /** Buffers for one test: `take` lends them, `release` gives every one back once no thread reads them. */
  lease(): { take: SharedBuffers; release(): void } {
    const lent: SharedArrayBuffer[] = [];
    return {
      take: (bytes) => {
        const buffer = this.pick(bytes) ?? new SharedArrayBuffer(bytes);
        lent.push(buffer);
        return buffer;
      },
      release: () => {
        this.free.push(...lent.splice(0));
        this.free.sort((a, b) => b.byteLength - a.byteLength).splice(this.keep);
      },
    };
  }

  /** The smallest free buffer that holds `bytes` without wasting more than half of it. */
  private pick(bytes: number): SharedArrayBuffer | undefined {
    let best = -1;
    this.free.forEach((b, i) => {
      if (b.byteLength >= bytes && b.byteLength <= 2 * bytes && (best < 0 || b.byteLength < this.free[best]!.byteLength)) best = i;
    });
    return best < 0 ? undefined : this.free.splice(best, 1)[0];
  }
}
