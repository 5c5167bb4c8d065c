import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../../db/database.js';
import type { Model } from '../../models/model.js';
import { decodeVector } from '../../util/vectors.js';
import type { NearDuplicateRegistry, ProductionIndex } from '../near-duplicates.js';
import type { QueueReads } from '../queue.ports.js';
import { selectItems, type Candidate } from './selection-policy.js';
import { listCandidatePool, listLabeledItems } from './selection.repository.js';

/** What selection needs from other features (wired in the composition root). */
export interface SelectionPorts {
  /** The champion's uncertainty in [0, 1] for each embedding; undefined without a champion. */
  uncertainty(model: Model, embeddings: Float32Array[]): Promise<Float64Array | undefined>;
  /** The champion's version (null without one): a ranking made with another champion is wrong. */
  championVersion(model: Model): Promise<string | null>;
  /** Brings the items' region tags up to date (computing regions when the window moved on); when they were computed. */
  refreshRegions(model: Model): Promise<string | undefined>;
}

/** Neighbours searched per candidate: the coverage ball uses the 10th, the rest is slack for the radius. */
const NEIGHBORS = 16;
/** The cached neighbour lists are rebuilt once the index grew by this share. */
const NEIGHBOR_REFRESH = 0.1;
/** Index searches between two turns of the event loop, so claims and ingestion go on during a ranking. */
const SEARCHES_PER_TURN = 250;

interface NeighborCache {
  size: number;
  byItem: Map<number, Candidate['neighbors']>;
}

/** Orders a model's whole pool by its `queue.selection` policy. */
export class PoolRanker {
  private readonly neighbors = new Map<number, NeighborCache>();

  constructor(
    private readonly db: Db,
    private readonly predictions: QueueReads['predictions'],
    private readonly duplicates: NearDuplicateRegistry,
    private readonly ports: SelectionPorts,
  ) {}

  /** The pool's item ids (`queue.selectionPool` pending items by priority), in the order claims should hand them out. */
  async rank(model: Model, region?: number): Promise<number[]> {
    const s = model.settings.queue;
    const pool = await listCandidatePool(this.db, model.id, s.selectionPool, region);
    if (pool.length === 0 || s.selection === 'priority') return pool.map((r) => r.id);
    const needsEmbeddings = s.selection === 'uncertainty' || s.selection === 'adaptive';
    const coverage = s.selection === 'typical' || s.selection === 'adaptive';
    const seqs = pool.map((r) => r.prediction_seq);
    const stored = needsEmbeddings || coverage ? await this.predictions.predictionsBySeq(this.db, model.id, seqs, ['embedding', 'is_ood']) : undefined;
    // `drifted` reads only whether each item was out of distribution.
    const ood = stored ?? (s.selection === 'drifted' ? await this.predictions.predictionsBySeq(this.db, model.id, seqs, ['is_ood']) : undefined);
    const vectors = stored ? pool.map((r) => decodeVector(stored.get(r.prediction_seq)!.embedding)) : [];
    const uncertainty = needsEmbeddings ? await this.ports.uncertainty(model, vectors) : undefined;
    const index = coverage ? await this.duplicates.get(this.db, model) : undefined;
    const labeledRows = coverage ? await listLabeledItems(this.db, model.id) : [];
    const labeledPerRegion = new Map<number | null, number>();
    for (const r of labeledRows) labeledPerRegion.set(r.region, (labeledPerRegion.get(r.region) ?? 0) + 1);
    const candidates: Candidate[] = [];
    for (const [i, r] of pool.entries()) {
      if (i > 0 && i % SEARCHES_PER_TURN === 0) await nextTurn();
      candidates.push({
        id: r.id,
        region: r.region,
        inDistribution: ood?.get(r.prediction_seq)?.is_ood === 0,
        priority: r.priority,
        key: r.prediction_id,
        uncertainty: uncertainty ? uncertainty[i]! : null,
        neighbors: index ? this.neighborsOf(model.id, index, r.id, vectors[i]!) : [],
      });
    }
    const ctx = { policy: s.selection, labeled: new Set(labeledRows.map((r) => r.id)), labeledPerRegion, typicalUntil: s.typicalUntil, seed: s.selectionSeed };
    return selectItems(candidates, ctx, candidates.length);
  }

  /** Forgets a model's cached neighbour lists (its items were rebuilt or removed). */
  forget(modelId: number): void {
    this.neighbors.delete(modelId);
  }

  private neighborsOf(modelId: number, index: ProductionIndex, itemId: number, embedding: Float32Array): Candidate['neighbors'] {
    let cache = this.neighbors.get(modelId);
    const size = index.index.size;
    if (!cache || size > cache.size * (1 + NEIGHBOR_REFRESH) || size < cache.size) {
      cache = { size, byItem: new Map() };
      this.neighbors.set(modelId, cache);
    }
    let found = cache.byItem.get(itemId);
    if (!found) {
      const { labels, distances } = index.nearest(embedding, Math.min(size, NEIGHBORS + 1));
      found = [];
      labels.forEach((id, j) => id !== itemId && found!.push({ id, distance: distances[j]! }));
      cache.byItem.set(itemId, found);
    }
    return found;
  }
}
