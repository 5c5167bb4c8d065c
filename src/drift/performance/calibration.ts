import type { CalibrationPair } from './performance.types.js';

/** Pseudo-count of the prior in each bin: where eval data is thin, trust the ratio-scaled score. */
const PRIOR_WEIGHT = 10;

interface GroupFit {
  /** Accuracy per unit of score in the group (Σ correct / Σ score), shrunk to the overall ratio. */
  ratio: number;
  correct: Float64Array;
  count: Float64Array;
}

/**
 * Histogram binning of top-1 scores, fitted separately for predictions the k-NN vote agrees
 * and disagrees with. Each bin's accuracy is shrunk toward `ratio × score` with a Beta prior
 * of weight PRIOR_WEIGHT: isotonic regression alone maps scores below the eval data's range to
 * its lowest block (often 0), which under-estimates badly when shifted inputs lower every score.
 */
export class ConfidenceCalibration {
  private constructor(
    private readonly bins: number,
    private readonly groups: readonly [GroupFit, GroupFit],
    /** Accuracy on the calibration pairs: what eval data says to expect. */
    readonly reference: number,
    readonly size: number,
  ) {}

  /** Fits on labeled pairs; `bins` equal-width score bins over [0, 1]. */
  static fit(pairs: readonly CalibrationPair[], bins = 10): ConfidenceCalibration {
    let correct = 0;
    let scores = 0;
    for (const p of pairs) {
      correct += p.correct ? 1 : 0;
      scores += p.topScore;
    }
    const overall = (correct + 1) / (scores + 1);
    const group = (agrees: boolean): GroupFit => {
      const fit = { ratio: 0, correct: new Float64Array(bins), count: new Float64Array(bins) };
      let c = 0;
      let s = 0;
      for (const p of pairs) {
        if (p.knnAgrees !== agrees) continue;
        const b = binOf(p.topScore, bins);
        fit.correct[b]! += p.correct ? 1 : 0;
        fit.count[b]! += 1;
        c += p.correct ? 1 : 0;
        s += p.topScore;
      }
      fit.ratio = (c + PRIOR_WEIGHT * overall) / (s + PRIOR_WEIGHT);
      return fit;
    };
    return new ConfidenceCalibration(bins, [group(false), group(true)], pairs.length === 0 ? 0 : correct / pairs.length, pairs.length);
  }

  /**
   * Without per-item eval results, only the eval accuracy and mean top-1 score: every score is
   * scaled by their ratio (bins stay empty, so the prior carries the whole estimate).
   */
  static fromSummary(accuracy: number, meanScore: number, size: number, bins = 10): ConfidenceCalibration {
    const ratio = meanScore > 0 ? accuracy / meanScore : 1;
    const group = (): GroupFit => ({ ratio, correct: new Float64Array(bins), count: new Float64Array(bins) });
    return new ConfidenceCalibration(bins, [group(), group()], accuracy, size);
  }

  /** Probability that a prediction with this score and k-NN vote is right, for in-distribution inputs. */
  correctness(topScore: number, knnAgrees: boolean): number {
    const g = this.groups[knnAgrees ? 1 : 0];
    const b = binOf(topScore, this.bins);
    const prior = Math.min(1, g.ratio * topScore);
    return (g.correct[b]! + PRIOR_WEIGHT * prior) / (g.count[b]! + PRIOR_WEIGHT);
  }

  /** Calibration pairs behind a bin's estimate, prior included: its variance is p(1 − p)/weight. */
  weight(topScore: number, knnAgrees: boolean): number {
    return this.groups[knnAgrees ? 1 : 0].count[binOf(topScore, this.bins)]! + PRIOR_WEIGHT;
  }

  /** Bin index, for grouping a window's predictions by the calibration cell they use. */
  cell(topScore: number, knnAgrees: boolean): number {
    return binOf(topScore, this.bins) * 2 + (knnAgrees ? 1 : 0);
  }
}

function binOf(score: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(score * bins)));
}
