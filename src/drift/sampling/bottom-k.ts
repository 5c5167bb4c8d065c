// Bottom-k sampling: keep the k items with the smallest seeded hash. The sample depends only
// on the set of keys, not on their order, so it is deterministic, needs O(k) memory while
// streaming, and stays mostly the same as the set grows (a new key enters only if it hashes low).

/** Seeded 32-bit hash of a string or integer key (FNV-1a, then murmur3's finaliser). */
export function hash32(key: string | number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  const s = typeof key === 'number' ? String(key) : key;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Keeps the `k` offered items with the smallest hashes (ties broken by order of arrival). */
export class BottomK<T> {
  private readonly hashes: number[] = [];
  private readonly values: T[] = [];

  constructor(readonly k: number) {}

  get size(): number {
    return this.values.length;
  }

  offer(hash: number, value: T): void {
    if (this.k <= 0) return;
    if (this.values.length < this.k) {
      this.hashes.push(hash);
      this.values.push(value);
      this.siftUp(this.values.length - 1);
    } else if (hash < this.hashes[0]!) {
      this.hashes[0] = hash;
      this.values[0] = value;
      this.siftDown(0);
    }
  }

  /** The kept items, smallest hash first. */
  items(): T[] {
    return this.values.map((v, i) => ({ v, h: this.hashes[i]! })).sort((a, b) => a.h - b.h).map((x) => x.v);
  }

  // A max-heap on hash: the root is the item to evict next.
  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.hashes[parent]! >= this.hashes[i]!) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.values.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let largest = i;
      if (l < n && this.hashes[l]! > this.hashes[largest]!) largest = l;
      if (r < n && this.hashes[r]! > this.hashes[largest]!) largest = r;
      if (largest === i) return;
      this.swap(i, largest);
      i = largest;
    }
  }

  private swap(a: number, b: number): void {
    [this.hashes[a], this.hashes[b]] = [this.hashes[b]!, this.hashes[a]!];
    [this.values[a], this.values[b]] = [this.values[b]!, this.values[a]!];
  }
}
