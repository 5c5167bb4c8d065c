/** Expected count below which a chi-square cell is pooled with the other small ones. */
const MIN_EXPECTED = 5;

/**
 * Pools categories whose expected count (share × total) is below MIN_EXPECTED into one
 * "other" cell, smallest first, and keeps pooling until that cell is large enough too.
 */
export function poolRareCategories(observed: number[], shares: number[], total: number): { observed: number[]; shares: number[]; pooled: number } {
  const order = shares.map((_, i) => i).sort((a, b) => shares[a]! - shares[b]!);
  const keep: number[] = [];
  let otherObserved = 0;
  let otherShare = 0;
  let pooled = 0;
  for (const i of order) {
    const small = shares[i]! * total < MIN_EXPECTED;
    if (small || (pooled > 0 && otherShare * total < MIN_EXPECTED)) {
      otherObserved += observed[i]!;
      otherShare += shares[i]!;
      pooled++;
    } else {
      keep.push(i);
    }
  }
  // Pooling stops as soon as "other" is large enough, so it is either large enough or holds everything.
  if (pooled > 0) keep.push(-1);
  return {
    observed: keep.map((i) => (i < 0 ? otherObserved : observed[i]!)),
    shares: keep.map((i) => (i < 0 ? otherShare : shares[i]!)),
    pooled,
  };
}
