import type { Model } from '../models/model.js';
import { decodeVector } from '../util/vectors.js';
import { toMetricSpace } from './sampling/embedding-space.js';
import { BottomK, hash32 } from './sampling/bottom-k.js';
import type { PredictionSignals } from './performance/performance.types.js';
import { signalsOf } from './performance/signals.js';
import type { PredictionWindowReader } from './drift.ports.js';

/** The current count window, summarised while streaming: O(window) numbers, O(sample) embeddings. */
export interface ProductionWindow {
  size: number;
  count: number;
  fromSeq: number | null;
  toSeq: number | null;
  oodCount: number;
  predicted: Map<string, number>;
  topScores: number[];
  /** What the accuracy estimator reads of each prediction, newest first. */
  signals: PredictionSignals[];
  /** Seqs of the deterministic embedding subsample (bottom-k by seeded hash of seq). */
  sampleSeqs: number[];
}

/** Reads the model's last `drift.windowSize` predictions without loading their embeddings. */
export async function readWindow(predictions: PredictionWindowReader, model: Model): Promise<ProductionWindow> {
  const { windowSize, mmd } = model.settings.drift;
  const sample = new BottomK<number>(mmd.windowSample);
  const predicted = new Map<string, number>();
  const topScores: number[] = [];
  const signals: PredictionSignals[] = [];
  const { uncertaintyThreshold } = model.settings.queue;
  let oodCount = 0;
  let fromSeq: number | null = null;
  let toSeq: number | null = null;
  for await (const row of predictions.streamWindow(model.id, windowSize)) {
    toSeq ??= row.seq;
    fromSeq = row.seq;
    oodCount += row.is_ood;
    predicted.set(row.predicted, (predicted.get(row.predicted) ?? 0) + 1);
    topScores.push(row.top_score);
    signals.push(signalsOf(row, uncertaintyThreshold));
    sample.offer(hash32(row.seq, mmd.seed), row.seq);
  }
  return { size: windowSize, count: topScores.length, fromSeq, toSeq, oodCount, predicted, topScores, signals, sampleSeqs: sample.items() };
}

/** The window's sampled embeddings, in the model's metric space. */
export async function windowEmbeddings(predictions: PredictionWindowReader, model: Model, window: ProductionWindow): Promise<Float32Array[]> {
  const blobs = await predictions.predictionEmbeddingsBySeq(model.id, window.sampleSeqs);
  return window.sampleSeqs.flatMap((seq) => {
    const blob = blobs.get(seq);
    return blob ? [toMetricSpace(decodeVector(blob), model.metric)] : [];
  });
}
