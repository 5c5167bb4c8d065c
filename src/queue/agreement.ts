// Chance-corrected agreement between labelers, for the queue summary. Categories are
// compared as strings: a caller with multi-concept labels passes a canonical key per label.

/** Cohen's kappa between two raters, one [first, second] pair per item; undefined when there is no pair. */
export function cohensKappa(pairs: readonly (readonly [string, string])[]): number | undefined {
  const n = pairs.length;
  if (n === 0) return undefined;
  const first = new Map<string, number>();
  const second = new Map<string, number>();
  let agreed = 0;
  for (const [a, b] of pairs) {
    first.set(a, (first.get(a) ?? 0) + 1);
    second.set(b, (second.get(b) ?? 0) + 1);
    if (a === b) agreed += 1;
  }
  let expected = 0;
  for (const [category, count] of first) expected += (count / n) * ((second.get(category) ?? 0) / n);
  return kappa(agreed / n, expected);
}

/** Fleiss' kappa, one inner array of ratings per item; rater counts may vary, items with under two ratings are ignored. */
export function fleissKappa(ratings: readonly (readonly string[])[]): number | undefined {
  // Generalisation to unequal rater counts: each item's pairwise agreement
  // P_i = (Σ_j n_ij² − n_i) / (n_i(n_i − 1)) is averaged with equal item weights, and the
  // category shares p_j are pooled over all ratings. With equal counts this is Fleiss (1971).
  const items = ratings.filter((item) => item.length >= 2);
  if (items.length === 0) return undefined;
  const totals = new Map<string, number>();
  let ratingCount = 0;
  let agreementSum = 0;
  for (const item of items) {
    const counts = new Map<string, number>();
    for (const category of item) counts.set(category, (counts.get(category) ?? 0) + 1);
    let squares = 0;
    for (const [category, count] of counts) {
      squares += count * count;
      totals.set(category, (totals.get(category) ?? 0) + count);
    }
    const m = item.length;
    agreementSum += (squares - m) / (m * (m - 1));
    ratingCount += m;
  }
  let expected = 0;
  for (const count of totals.values()) expected += (count / ratingCount) ** 2;
  return kappa(agreementSum / items.length, expected);
}

function kappa(observed: number, expected: number): number {
  // Expected agreement is 1 only when every rating is the same category, so observed is 1 too:
  // perfect agreement, rather than the 0/0 that would give NaN.
  if (expected === 1) return 1;
  return (observed - expected) / (1 - expected);
}
