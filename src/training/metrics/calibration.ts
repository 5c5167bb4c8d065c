/** Number of equal-width confidence bins used for the expected calibration error. */
const ECE_BINS = 15;

// The usual top-label ECE (Naeini et al. 2015; Guo et al. 2017). Edges are computed as
// b/bins, not accumulated steps, so any implementation using the same edges bins identically.
/** Expected calibration error: Σ (|B|/n)·|hit rate(B) − mean confidence(B)| over bins (b/bins, (b+1)/bins], 0 joining the first. */
export function expectedCalibrationError(
  confidences: readonly number[],
  outcomes: readonly boolean[],
  bins: number = ECE_BINS,
): number {
  if (confidences.length !== outcomes.length) {
    throw new RangeError(`confidences (${confidences.length}) and outcomes (${outcomes.length}) differ in length`);
  }
  if (confidences.length === 0) throw new RangeError('no samples');
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);

  const count = new Array<number>(bins).fill(0);
  const confidenceSum = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  confidences.forEach((confidence, i) => {
    if (!(confidence >= 0 && confidence <= 1)) throw new RangeError(`confidence ${confidence} is outside [0, 1]`);
    const b = binOf(confidence, bins);
    count[b] += 1;
    confidenceSum[b] += confidence;
    if (outcomes[i]) hits[b] += 1;
  });

  const n = confidences.length;
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    ece += (count[b] / n) * Math.abs(hits[b] / count[b] - confidenceSum[b] / count[b]);
  }
  return ece;
}

function binOf(confidence: number, bins: number): number {
  let b = 0;
  while (confidence > (b + 1) / bins) b++;
  return b;
}
