import type { Model } from '../models/model.js';
import { decodeVector } from '../util/vectors.js';
import type { PredictionWindowReader } from './drift.ports.js';
import type { DriftProviders, ReferenceEpoch } from './drift.providers.js';

/**
 * Re-measures, against the reference as it is now, the window's predictions that were
 * scored before a promotion took labeled production data into it. Their stored `isOod`
 * answered the old reference; without this the drift status stays frozen at "drift" until a
 * whole new window has arrived, although the new champion has learned the region. Flags are
 * cached per model and reference state, so each stale prediction is measured once.
 */
export class WindowRescorer {
  private readonly cache = new Map<number, { key: string; flags: Map<number, boolean> }>();

  constructor(
    private readonly predictions: PredictionWindowReader,
    private readonly providers: Pick<DriftProviders, 'remeasure'>,
  ) {}

  /** The current OOD flag of each stale prediction, by seq. */
  async flags(model: Model, epoch: ReferenceEpoch, seqs: number[]): Promise<Map<number, boolean>> {
    let entry = this.cache.get(model.id);
    if (entry?.key !== epoch.key) this.cache.set(model.id, (entry = { key: epoch.key, flags: new Map() }));
    const missing = seqs.filter((s) => !entry.flags.has(s));
    if (missing.length > 0) {
      const blobs = await this.predictions.predictionEmbeddingsBySeq(model.id, missing);
      const found = missing.filter((s) => blobs.has(s));
      const scores = await this.providers.remeasure(model, found.map((s) => decodeVector(blobs.get(s)!)));
      found.forEach((s, i) => entry.flags.set(s, scores[i]! >= model.settings.ood.quantile));
    }
    // Only the window's stale predictions stay cached; the window moves on past the others.
    const keep = new Set(seqs);
    for (const s of entry.flags.keys()) if (!keep.has(s)) entry.flags.delete(s);
    return entry.flags;
  }
}
