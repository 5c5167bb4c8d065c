import type { Model } from '../models/model.js';
import type { OodMeasurement, ReferenceNeighbor } from '../reference/reference-set.js';
import { knnVote, type KnnVote } from './knn-vote.js';
import { priorityOf } from './priority.js';
import { multiclassUncertainty, multilabelUncertainty, type Uncertainty } from './uncertainty.js';
import { own } from '../util/own.js';

/** Everything driftloop derives from one prediction. */
export interface PredictionScore extends Uncertainty {
  ood: { distance: number; score: number; isOod: boolean };
  /** Top-scoring concept, and for multilabel every concept at or above its threshold. */
  predicted: string;
  predictedSet: string[];
  topScore: number;
  knn: KnnVote;
  disagreement: boolean;
  priority: number;
  neighbors: ReferenceNeighbor[];
}

/** Per-concept decision thresholds of a multilabel model, in taxonomy order. */
export function thresholdsOf(model: Model): number[] {
  const s = model.settings.scoring;
  return model.concepts.map((c) => own(s.thresholds, c.id) ?? s.defaultThreshold);
}

/** Scores predictions of one model, given how each embedding measured against its reference set. */
export type Scorer = (m: OodMeasurement, scores: Record<string, number>) => PredictionScore;

/**
 * A scorer for `model` as it is now: the taxonomy's ids and thresholds are read once for a
 * whole batch instead of once per prediction.
 */
export function scorerFor(model: Model): Scorer {
  const ids = model.concepts.map((c) => c.id);
  const thresholds = thresholdsOf(model);
  const multilabel = model.task === 'multilabel';
  const { quantile } = model.settings.ood;
  const weights = model.settings.queue.weights;
  return (m, scores) => {
    const values = new Array<number>(ids.length);
    let top = 0;
    for (let i = 0; i < ids.length; i++) {
      values[i] = own(scores, ids[i]!) ?? 0;
      if (values[i]! > values[top]!) top = i;
    }
    const predicted = ids[top] ?? '';
    const predictedSet = multilabel ? ids.filter((_, i) => values[i]! >= thresholds[i]!) : [predicted];
    const u = multilabel ? multilabelUncertainty(values, thresholds) : multiclassUncertainty(values);
    const knn = knnVote(m.neighbors);
    const disagreement = knn.concept !== null && !predictedSet.includes(knn.concept);
    const priority = priorityOf({ oodScore: m.score, uncertainty: u.uncertainty, disagreement: disagreement ? knn.share : 0 }, weights);
    return {
      uncertainty: u.uncertainty,
      leastConfidence: u.leastConfidence,
      entropy: u.entropy,
      ood: { distance: m.distance, score: m.score, isOod: m.score >= quantile },
      predicted,
      predictedSet,
      topScore: values[top] ?? 0,
      knn,
      disagreement,
      priority,
      neighbors: m.neighbors,
    };
  };
}
