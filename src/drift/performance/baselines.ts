import type { CalibrationPair, PredictionSignals } from './performance.types.js';

// Estimators the shipped one is compared against (benchmark and tests); not used in serving.

/** NannyML-style CBPE without calibration: the mean top-1 score. */
export function naiveCbpe(window: readonly PredictionSignals[]): number {
  return mean(window.map((s) => s.topScore));
}

/** CBPE with isotonic calibration (pool-adjacent-violators) fitted on eval pairs. */
export function isotonicCbpe(pairs: readonly CalibrationPair[], window: readonly PredictionSignals[]): number {
  const fit = isotonic(pairs.map((p) => [p.topScore, p.correct ? 1 : 0]));
  return mean(window.map((s) => fit(s.topScore)));
}

/** Average thresholded confidence (Garg et al., 2022): the share above the eval threshold that matches eval accuracy. */
export function averageThresholdedConfidence(pairs: readonly CalibrationPair[], window: readonly PredictionSignals[]): number {
  const scores = pairs.map((p) => p.topScore).sort((a, b) => a - b);
  const accuracy = mean(pairs.map((p) => (p.correct ? 1 : 0)));
  const t = scores[Math.min(scores.length - 1, Math.round((1 - accuracy) * scores.length))] ?? 0;
  return mean(window.map((s) => (s.topScore >= t ? 1 : 0)));
}

/**
 * k-NN agreement by the method of moments: the agreement rate is acc·P(agree | right) +
 * (1 − acc)·P(agree | wrong), with both rates taken from eval data.
 */
export function knnAgreementEstimate(pairs: readonly CalibrationPair[], window: readonly PredictionSignals[]): number {
  const right = pairs.filter((p) => p.correct);
  const wrong = pairs.filter((p) => !p.correct);
  const agreeRight = (right.filter((p) => p.knnAgrees).length + 1) / (right.length + 2);
  const agreeWrong = (wrong.filter((p) => p.knnAgrees).length + 1) / (wrong.length + 2);
  const agree = mean(window.map((s) => (s.knnAgrees ? 1 : 0)));
  return Math.min(1, Math.max(0, (agree - agreeWrong) / (agreeRight - agreeWrong)));
}

function isotonic(points: [number, number][]): (x: number) => number {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const blocks: { x: number; sum: number; n: number }[] = [];
  for (const [x, y] of sorted) {
    // Equal scores form one block before any pooling, so ties never depend on input order.
    const last = blocks.at(-1);
    if (last?.x === x) {
      last!.sum += y;
      last!.n += 1;
    } else blocks.push({ x, sum: y, n: 1 });
    while (blocks.length > 1 && blocks.at(-2)!.sum / blocks.at(-2)!.n > blocks.at(-1)!.sum / blocks.at(-1)!.n) {
      const last = blocks.pop()!;
      blocks.at(-1)!.sum += last.sum;
      blocks.at(-1)!.n += last.n;
    }
  }
  return (x) => {
    let i = 0;
    while (i + 1 < blocks.length && blocks[i + 1]!.x <= x) i++;
    const b = blocks[i];
    return b ? b.sum / b.n : 0;
  };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
