import type { Model } from '../../models/model.js';
import type { ReferenceSet } from '../../reference/reference-set.js';
import { knnVote } from '../../scoring/knn-vote.js';
import { decodeVector } from '../../util/vectors.js';
import type { ScoredEvalReader } from '../drift.ports.js';
import type { CalibrationPair, CalibrationSource } from './performance.types.js';
import { own } from '../../util/own.js';

/** Newest scored eval examples read: enough for ten bins per k-NN group. */
const MAX_PAIRS = 5000;

/**
 * Calibration pairs from eval examples sent with the app's scores: top-1 right or wrong, and
 * whether the k nearest train examples vote for it (as the scorer does for a prediction).
 * Cached per model until the scored examples or the train split change.
 */
export class EvalScoresCalibration {
  private readonly cache = new Map<number, { key: string; source: CalibrationSource | undefined }>();

  constructor(
    private readonly reads: ScoredEvalReader,
    private readonly reference: (model: Model) => Promise<ReferenceSet>,
  ) {}

  async source(model: Model): Promise<CalibrationSource | undefined> {
    // A count and a max over an index: the embeddings are read only when something changed.
    const version = await this.reads.scoredEvalVersion(model.id);
    if (version.count === 0) return undefined;
    const set = await this.reference(model);
    const key = `${version.count}:${version.maxSeq}:${set.train.size}:${model.updatedAt}`;
    const cached = this.cache.get(model.id);
    if (cached?.key === key) return cached.source;
    const rows = await this.reads.listScoredEvalExamples(model.id, MAX_PAIRS);
    const concepts = model.concepts.map((c) => c.id);
    const pairs = rows.map((r): CalibrationPair => {
      const scores = JSON.parse(r.scores_json) as Record<string, number>;
      const truth = JSON.parse(r.concepts_json) as string[];
      let predicted = concepts[0] ?? '';
      for (const c of concepts) if ((own(scores, c) ?? 0) > (own(scores, predicted) ?? 0)) predicted = c;
      const vote = knnVote(set.neighbors(decodeVector(r.embedding)));
      return { topScore: own(scores, predicted) ?? 0, correct: truth.length === 1 && truth[0] === predicted, knnAgrees: vote.concept === null || vote.concept === predicted };
    });
    const source: CalibrationSource = { kind: 'pairs', source: `${pairs.length} eval examples sent with scores`, pairs };
    this.cache.set(model.id, { key, source });
    return source;
  }
}
