/**
 * Runs tasks one at a time per key, in arrival order; tasks of different keys run
 * concurrently. A failed task does not block the ones queued behind it.
 */
export class KeyedLock<K> {
  private readonly tails = new Map<K, Promise<void>>();

  run<T>(key: K, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /**
   * Pipelined work: `early` is already under way (it may overlap with other tasks of the key);
   * `late` gets its result and runs in turn, one at a time per key in the order of the calls,
   * after a turn of the event loop so that short requests waiting meanwhile get in first.
   */
  inTurn<A, T>(key: K, early: Promise<A>, late: (early: A) => Promise<T>): Promise<T> {
    // Awaited in turn; this keeps a failure before then from counting as unhandled.
    early.catch(() => undefined);
    return this.run(key, async () => {
      const value = await early;
      await new Promise<void>((resolve) => setImmediate(resolve));
      return late(value);
    });
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
