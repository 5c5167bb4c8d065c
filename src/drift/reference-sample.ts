import type { Model } from '../models/model.js';
import { decodeVector } from '../util/vectors.js';
import type { TrainSplitReader } from './drift.ports.js';
import { toMetricSpace } from './sampling/embedding-space.js';
import { BottomK, hash32 } from './sampling/bottom-k.js';

/** What the drift tests compare production with: a fixed-size sample of the train split and its label counts. */
export interface ReferenceSample {
  /** Changes whenever the train split or the sampling settings change. */
  key: string;
  trainCount: number;
  labelCounts: Map<string, number>;
  /** At most `drift.mmd.referenceSize` train embeddings, in the model's metric space. */
  embeddings: Float32Array[];
}

/**
 * Builds and caches each model's reference sample. The sample is bottom-k by a seeded hash
 * of the example id: deterministic, independent of insertion order, and only O(k) memory
 * while streaming the ids of a train split of any size. It is rebuilt when the train split
 * changes (new examples, or labeled production items after a promotion).
 */
export class ReferenceSamples {
  private readonly cache = new Map<number, ReferenceSample>();

  constructor(private readonly trainSplit: TrainSplitReader) {}

  async get(model: Model): Promise<ReferenceSample> {
    const { referenceSize, seed } = model.settings.drift.mmd;
    const version = await this.trainSplit.trainVersion(model.id);
    const key = `${version.count}:${version.maxSeq}:${referenceSize}:${seed}:${model.metric}`;
    const cached = this.cache.get(model.id);
    if (cached?.key === key) return cached;
    const sample = await this.build(model, key, version.count);
    this.cache.set(model.id, sample);
    return sample;
  }

  private async build(model: Model, key: string, trainCount: number): Promise<ReferenceSample> {
    const { referenceSize, seed } = model.settings.drift.mmd;
    const pick = new BottomK<number>(referenceSize);
    for await (const r of this.trainSplit.streamTrainIds(model.id)) pick.offer(hash32(r.id, seed), r.seq);
    const seqs = pick.items();
    const blobs = await this.trainSplit.exampleEmbeddingsBySeq(model.id, seqs);
    const embeddings = seqs.flatMap((seq) => {
      const blob = blobs.get(seq);
      return blob ? [toMetricSpace(decodeVector(blob), model.metric)] : [];
    });
    return { key, trainCount, labelCounts: await this.trainSplit.trainLabelCounts(model.id), embeddings };
  }
}
