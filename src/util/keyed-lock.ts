const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs tasks one at a time per key, in arrival order; tasks of different keys run
 * concurrently. A failed task does not block the ones queued behind it.
 */
export class KeyedLock<K> {
  private readonly tails = new Map<K, Promise<void>>();
  /** Every task not yet settled (one that released its key early is still here). */
  private readonly unsettled = new Set<Promise<void>>();

  run<T>(key: K, task: () => Promise<T>): Promise<T> {
    return this.enqueue(key, () => task());
  }

  /**
   * Pipelined work: `early` is already under way (it may overlap with other tasks of the key);
   * `late` gets its result and runs in turn, one at a time per key in the order of the calls,
   * after `nextTurn` (by default a turn of the event loop) so that short requests waiting
   * meanwhile get in first. `late` may call `release` to let the next task of the key start
   * before it settles (the part that has to be in order is done); settling releases too.
   */
  inTurn<A, T>(key: K, early: Promise<A>, late: (early: A, release: () => void) => Promise<T>, nextTurn: () => Promise<unknown> = immediate): Promise<T> {
    // Awaited in turn; this keeps a failure before then from counting as unhandled.
    early.catch(() => undefined);
    return this.enqueue(key, async (release) => {
      const value = await early;
      await nextTurn();
      return late(value, release);
    });
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values(), ...this.unsettled]);
  }

  /** Queues `task` behind the key's tail; the next task starts once it settles or calls `release`. */
  private enqueue<T>(key: K, task: (release: () => void) => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const result = previous.then(() => task(release));
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.unsettled.add(settled);
    void settled.then(() => this.unsettled.delete(settled));
    const tail = Promise.race([settled, released]);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
