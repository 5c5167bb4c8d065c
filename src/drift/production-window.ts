import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Model } from '../models/model.js';
import { storedToMetricSpace } from './sampling/embedding-space.js';
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
  /** Predictions scored against an older reference and re-measured against today's; null when none were. */
  rescored: { predictions: number; oodAtIngestion: number; oodNow: number } | null;
}

/** Current OOD flags, by seq, of predictions stored at or before `since` (scored against an older reference). */
export interface Restamp {
  since: string;
  flags(seqs: number[]): Promise<Map<number, boolean>>;
}

/**
 * Reads the model's last `drift.windowSize` predictions without loading their embeddings;
 * with `restamp`, predictions scored before the reference last took in production data count
 * with their OOD flag against the reference as it is now.
 */
export async function readWindow(predictions: PredictionWindowReader, model: Model, restamp?: Restamp): Promise<ProductionWindow> {
  const { windowSize, mmd } = model.settings.drift;
  const sample = new BottomK<number>(mmd.windowSample);
  const predicted = new Map<string, number>();
  const topScores: number[] = [];
  const signals: PredictionSignals[] = [];
  const { uncertaintyThreshold } = model.settings.queue;
  let oodCount = 0;
  let fromSeq: number | null = null;
  let toSeq: number | null = null;
  const stale: { seq: number; at: number }[] = [];
  for await (const row of predictions.streamWindow(model.id, windowSize)) {
    if (restamp && row.created_at <= restamp.since) stale.push({ seq: row.seq, at: signals.length });
    toSeq ??= row.seq;
    fromSeq = row.seq;
    oodCount += row.is_ood;
    predicted.set(row.predicted, (predicted.get(row.predicted) ?? 0) + 1);
    topScores.push(row.top_score);
    signals.push(signalsOf(row, uncertaintyThreshold));
    sample.offer(hash32(row.seq, mmd.seed), row.seq);
  }
  let rescored: ProductionWindow['rescored'] = null;
  if (restamp && stale.length > 0) {
    const flags = await restamp.flags(stale.map((s) => s.seq));
    rescored = { predictions: stale.length, oodAtIngestion: 0, oodNow: 0 };
    for (const { seq, at } of stale) {
      const now = flags.get(seq) ?? signals[at]!.isOod;
      rescored.oodAtIngestion += signals[at]!.isOod ? 1 : 0;
      rescored.oodNow += now ? 1 : 0;
      oodCount += (now ? 1 : 0) - (signals[at]!.isOod ? 1 : 0);
      signals[at] = { ...signals[at]!, isOod: now };
    }
  }
  return { size: windowSize, count: topScores.length, fromSeq, toSeq, oodCount, predicted, topScores, signals, sampleSeqs: sample.items(), rescored };
}

/**
 * Sampled embeddings read and decoded per statement: 500 at 512 dims (1 MB of blobs, decoded and
 * normalised) held the event loop 5–11 ms in one turn.
 */
const EMBEDDINGS_PAGE = 125;

/**
 * The window's sampled embeddings, in the model's metric space, in `sampleSeqs` order. Kept from
 * one evaluation to the next: the window moves by the predictions stored since the last one, so
 * most of its bottom-k sample stays, and only the seqs new to it are read, a page at a time with
 * a turn of the event loop between pages (a prediction's embedding never changes, and seqs are
 * never reused). Reading the whole sample each time was 2 MB of array buffers at 512 dims (blobs
 * and unit vectors), which V8 counts towards the old generation's limit.
 */
export class WindowEmbeddings {
  private readonly held = new Map<number, { metric: Model['metric']; bySeq: Map<number, Float32Array> }>();

  constructor(private readonly predictions: PredictionWindowReader) {}

  async read(model: Model, window: Pick<ProductionWindow, 'sampleSeqs'>): Promise<Float32Array[]> {
    const held = this.held.get(model.id);
    const before = held?.metric === model.metric ? held.bySeq : undefined;
    const bySeq = new Map<number, Float32Array>();
    const missing: number[] = [];
    for (const seq of window.sampleSeqs) {
      const kept = before?.get(seq);
      if (kept) bySeq.set(seq, kept);
      else missing.push(seq);
    }
    for (let i = 0; i < missing.length; i += EMBEDDINGS_PAGE) {
      if (i > 0) await nextTurn();
      const seqs = missing.slice(i, i + EMBEDDINGS_PAGE);
      const blobs = await this.predictions.predictionEmbeddingsBySeq(model.id, seqs);
      for (const seq of seqs) {
        const blob = blobs.get(seq);
        if (blob) bySeq.set(seq, storedToMetricSpace(blob, model.metric));
      }
    }
    this.held.set(model.id, { metric: model.metric, bySeq });
    const out: Float32Array[] = [];
    for (const seq of window.sampleSeqs) {
      const v = bySeq.get(seq);
      if (v) out.push(v);
    }
    return out;
  }
}
