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

/** Scores one prediction, given how its embedding measured against the model's reference set. */
export function scorePrediction(model: Model, m: OodMeasurement, scores: Record<string, number>): PredictionScore {
  const ids = model.concepts.map((c) => c.id);
  const values = ids.map((id) => own(scores, id) ?? 0);
  const thresholds = thresholdsOf(model);
  let top = 0;
  values.forEach((v, i) => {
    if (v > values[top]!) top = i;
  });
  const predicted = ids[top] ?? '';
  const predictedSet = model.task === 'multilabel' ? ids.filter((_, i) => values[i]! >= thresholds[i]!) : [predicted];
  const u = model.task === 'multilabel' ? multilabelUncertainty(values, thresholds) : multiclassUncertainty(values);
  const knn = knnVote(m.neighbors);
  const disagreement = knn.concept !== null && !predictedSet.includes(knn.concept);
  const isOod = m.score >= model.settings.ood.quantile;
  const priority = priorityOf(
    { oodScore: m.score, uncertainty: u.uncertainty, disagreement: disagreement ? knn.share : 0 },
    model.settings.queue.weights,
  );
  return {
    ...u,
    ood: { distance: m.distance, score: m.score, isOod },
    predicted,
    predictedSet,
    topScore: values[top] ?? 0,
    knn,
    disagreement,
    priority,
    neighbors: m.neighbors,
  };
}
