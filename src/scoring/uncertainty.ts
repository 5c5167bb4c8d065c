/** Uncertainty of one prediction, each in [0, 1] (1 = most uncertain). */
export interface Uncertainty {
  /** The headline figure: margin-based (multiclass) or threshold closeness (multilabel). */
  uncertainty: number;
  leastConfidence: number;
  /** Entropy normalised by its maximum. */
  entropy: number;
}

/** Multiclass: 1 − (top1 − top2), 1 − top1, and normalised entropy of the renormalised scores. */
export function multiclassUncertainty(scores: number[]): Uncertainty {
  // The two highest and the sum in one pass, instead of a sorted copy per prediction.
  let top1 = -Infinity;
  let top2 = -Infinity;
  let total = 0;
  for (const s of scores) {
    if (s > top1) {
      top2 = top1;
      top1 = s;
    } else if (s > top2) top2 = s;
    total += s;
  }
  if (scores.length < 1) top1 = 0;
  if (scores.length < 2) top2 = 0;
  let entropy = 0;
  if (total > 0 && scores.length > 1) {
    for (const s of scores) {
      const p = s / total;
      if (p > 0) entropy -= p * Math.log(p);
    }
    entropy /= Math.log(scores.length);
  }
  return { uncertainty: clamp01(1 - (top1 - top2)), leastConfidence: clamp01(1 - top1), entropy: clamp01(entropy) };
}

/**
 * Multilabel: each concept is its own sigmoid decision, so the prediction is as
 * uncertain as its most uncertain concept — the one whose score sits closest to
 * its threshold, measured relative to the room on that side of the threshold.
 */
export function multilabelUncertainty(scores: number[], thresholds: number[]): Uncertainty {
  let closeness = 0;
  let leastConfidence = 0;
  let entropy = 0;
  scores.forEach((s, i) => {
    const t = thresholds[i] ?? 0.5;
    const room = s >= t ? 1 - t : t;
    closeness = Math.max(closeness, room > 0 ? 1 - Math.abs(s - t) / room : 1);
    leastConfidence = Math.max(leastConfidence, 1 - Math.max(s, 1 - s));
    entropy += binaryEntropy(s);
  });
  const n = Math.max(1, scores.length);
  return { uncertainty: clamp01(closeness), leastConfidence: clamp01(leastConfidence * 2), entropy: clamp01(entropy / n) };
}

function binaryEntropy(p: number): number {
  if (p <= 0 || p >= 1) return 0;
  return -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
