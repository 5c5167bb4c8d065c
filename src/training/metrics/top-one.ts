/** The predicted class of one row of probabilities and its probability. */
export interface TopOne {
  index: number;
  confidence: number;
}

/** Highest-probability class of a row; ties go to the lowest index, as `numpy.argmax`. */
export function topOne(row: readonly number[]): TopOne {
  if (row.length === 0) throw new RangeError('empty probability row');
  let index = 0;
  for (let k = 1; k < row.length; k++) {
    if (row[k] > row[index]) index = k;
  }
  return { index, confidence: row[index] };
}
