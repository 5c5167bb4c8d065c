import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Reads `count` until it reaches `n`, yielding a turn between reads, and returns the last read.
 * Bounded by wall time as a hang guard only (a server under load may take seconds to reach the
 * state a test waits for), never by a number of reads: the caller asserts what it read.
 */
export async function untilCount(count: () => Promise<number>, n: number, guardMs = 60_000): Promise<number> {
  const end = performance.now() + guardMs;
  for (;;) {
    const seen = await count();
    if (seen >= n || performance.now() > end) return seen;
    await nextTurn();
  }
}
