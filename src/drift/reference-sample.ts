import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Model } from '../models/model.js';
import type { TrainSplitReader } from './drift.ports.js';
import { storedToMetricSpace } from './sampling/embedding-space.js';
import { BottomK, hash32 } from './sampling/bottom-k.js';

/** Train examples read per page while building a sample (about 2 ms of event loop each). */
const IDS_PER_PAGE = 2000;

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

  constructor(
    private readonly trainSplit: TrainSplitReader,
    private readonly idsPerPage = IDS_PER_PAGE,
  ) {}

  async get(model: Model): Promise<ReferenceSample> {
    const { referenceSize, seed } = model.settings.drift.mmd;
    const version = await this.trainSplit.trainVersion(model.id);
    const key = `${version.count}:${version.maxSeq}:${referenceSize}:${seed}:${model.metric}`;
    const cached = this.cache.get(model.id);
    if (cached?.key === key) return cached;
    const sample = await this.build(model, key, version);
    this.cache.set(model.id, sample);
    return sample;
  }

  /**
   * Reads the split's ids and concepts a page at a time with a turn of the event loop between
   * pages, counting the labels on the way: one stream of a large split and one GROUP BY over it
   * held the loop (about 0.1 s at 100k examples) while claims and ingest batches waited. Up to
   * the `maxSeq` the key names, so the pages add up to one version.
   */
  private async build(model: Model, key: string, version: { count: number; maxSeq: number }): Promise<ReferenceSample> {
    const { referenceSize, seed } = model.settings.drift.mmd;
    const pick = new BottomK<number>(referenceSize);
    const labelCounts = new Map<string, number>();
    for (let after = 0; ; ) {
      const page = await this.trainSplit.listTrainIds(model.id, after, this.idsPerPage);
      for (const r of page) {
        if (r.seq > version.maxSeq) break;
        pick.offer(hash32(r.id, seed), r.seq);
        for (const concept of JSON.parse(r.concepts_json) as string[]) labelCounts.set(concept, (labelCounts.get(concept) ?? 0) + 1);
      }
      if (page.length < this.idsPerPage || page.at(-1)!.seq >= version.maxSeq) break;
      after = page.at(-1)!.seq;
      await nextTurn();
    }
    const seqs = pick.items();
    const blobs = await this.trainSplit.exampleEmbeddingsBySeq(model.id, seqs);
    const embeddings = seqs.flatMap((seq) => {
      const blob = blobs.get(seq);
      return blob ? [storedToMetricSpace(blob, model.metric)] : [];
    });
    return { key, trainCount: version.count, labelCounts, embeddings };
  }
}
