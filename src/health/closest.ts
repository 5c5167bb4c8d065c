/**
 * Keeps the `cap` items with the smallest key out of any number offered, in O(cap) memory
 * (amortised: it prunes when the buffer holds four times the cap).
 */
export class Closest<T> {
  private items: { key: number; value: T }[] = [];

  constructor(private readonly cap: number) {}

  offer(key: number, value: T): void {
    this.items.push({ key, value });
    if (this.items.length >= 4 * this.cap) this.prune();
  }

  /** The kept items, smallest key first. */
  values(): T[] {
    this.prune();
    return this.items.map((i) => i.value);
  }

  private prune(): void {
    this.items.sort((a, b) => a.key - b.key);
    this.items.length = Math.min(this.items.length, this.cap);
  }
}
