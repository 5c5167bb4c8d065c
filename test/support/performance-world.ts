import type { CalibrationPair, LabeledSignals, PredictionSignals } from '../../src/drift/performance/performance.types.js';
import { gaussian, mulberry32 } from '../../src/util/random.js';

/**
 * A production world with a known truth, for the accuracy estimators: clean inputs, corrupted
 * inputs (lower scores, mostly OOD, k-NN votes less reliable) and inputs from concepts outside
 * the taxonomy (always wrong, mostly OOD). Rates follow what the demo data measures
 * (data/demo/README.md): OOD flags on 65% of corrupted and 81% of unseen inputs, k-NN
 * agreement on 74% of unseen ones, errors shared by the softmax head and the k-NN vote.
 */
export interface WorldItem extends LabeledSignals {
  kind: 'clean' | 'corrupted' | 'unseen';
  /** Conformal OOD percentile, and the queue's priority built from it. */
  oodScore: number;
  priority: number;
}

export interface WorldMix {
  corrupted: number;
  unseen: number;
}

export class PerformanceWorld {
  private readonly rand: () => number;
  private readonly normal: () => number;

  constructor(seed: number, readonly mix: WorldMix = { corrupted: 0.3, unseen: 0.1 }) {
    this.rand = mulberry32(seed);
    this.normal = gaussian(this.rand);
  }

  /** Labeled eval data: clean inputs only, as the champion's eval split. */
  calibration(n: number): CalibrationPair[] {
    return Array.from({ length: n }, () => this.item('clean'));
  }

  /** Production predictions drawn from the mix. */
  production(n: number): WorldItem[] {
    return Array.from({ length: n }, () => {
      const u = this.rand();
      return this.item(u < this.mix.unseen ? 'unseen' : u < this.mix.unseen + this.mix.corrupted ? 'corrupted' : 'clean');
    });
  }

  /**
   * What the review queue hands labelers out of `pool`: queued items (OOD, uncertain or
   * disagreeing), highest priority first, the first `n` of them.
   */
  queueSelect(pool: readonly WorldItem[], n: number): WorldItem[] {
    return pool
      .filter((i) => i.isOod || i.uncertain || !i.knnAgrees)
      .sort((a, b) => b.priority - a.priority)
      .slice(0, n);
  }

  private item(kind: WorldItem['kind']): WorldItem {
    const topScore = 0.1 + 0.9 * (kind === 'clean' ? this.beta(6, 0.55) : kind === 'corrupted' ? this.beta(1.6, 2.2) : this.beta(1.8, 2.4));
    const correct = kind !== 'unseen' && this.rand() < topScore;
    const agreeRate = kind === 'unseen' ? 0.74 : kind === 'clean' ? (correct ? 0.99 : 0.75) : correct ? 0.92 : 0.6;
    const knnAgrees = this.rand() < agreeRate;
    const oodShare = kind === 'clean' ? 0.05 : kind === 'corrupted' ? 0.65 : 0.81;
    const oodScore = this.rand() < oodShare ? 0.95 + 0.05 * this.rand() : (kind === 'clean' ? 0.95 : 0.95) * this.rand();
    const uncertainty = Math.min(1, Math.max(0, 1 - topScore + 0.1 * this.normal()));
    return {
      kind,
      topScore,
      correct,
      knnAgrees,
      isOod: oodScore >= 0.95,
      uncertain: uncertainty >= 0.5,
      oodScore,
      priority: (oodScore + uncertainty + (knnAgrees ? 0 : 0.7)) / 3,
    };
  }

  /** Beta(a, b) as X/(X+Y) of two gammas (Marsaglia–Tsang). */
  private beta(a: number, b: number): number {
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }

  private gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.rand(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = this.normal();
      const v = (1 + c * z) ** 3;
      if (v <= 0) continue;
      if (Math.log(1 - this.rand()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  }
}

/** Realised accuracy of a window. */
export function truthOf(items: readonly WorldItem[]): number {
  return items.filter((i) => i.correct).length / items.length;
}
