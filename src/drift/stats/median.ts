// Quickselect: the bandwidth needs one median of up to ~10⁵ values, and a full sort would
// cost several times more for no benefit.

function select(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    const pivot = medianOfThree(values[left], values[(left + right) >>> 1], values[right]);
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const tmp = values[i];
        values[i] = values[j];
        values[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return values[k];
  }
  return values[k];
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}

/** Median (mean of the two middle values for even counts, as numpy.median); reorders `values`. */
export function medianInPlace(values: Float64Array): number {
  const count = values.length;
  if (count === 0) throw new RangeError('median of an empty array');
  const upper = select(values, count >> 1);
  if (count % 2 === 1) return upper;
  // After selection everything left of the upper middle is ≤ it, so its max is the lower middle.
  let lower = -Infinity;
  for (let i = 0; i < count >> 1; i++) if (values[i] > lower) lower = values[i];
  return (lower + upper) / 2;
}
