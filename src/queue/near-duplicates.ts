import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Model } from '../models/model.js';
import { decodeVector } from '../util/vectors.js';
import { DerivedIndexes } from '../vectors/derived-index.js';
import type { DerivedIndexKind, Publication, SnapshotOptions } from '../vectors/derived-index.types.js';
import { GenerationalIndex, type ExactState } from '../vectors/generational-index.js';
import type { HnswParams } from '../vectors/hnsw-index.js';
import type { IndexChecker } from '../vectors/index-file.js';
import type { Neighbors } from '../vectors/vector-index.js';
import type { QueueReads } from './queue.ports.js';
import { countItemsBetween, idBeforeNewest, listItemEmbeddings } from './queue.repository.js';

/** Only the nearest few matter for a radius check, so the graph is built cheaper than the reference index. */
export const DUPLICATE_HNSW: HnswParams = Object.freeze({ m: 12, efConstruction: 48, efSearch: 48 });

const PAGE = 5000;

/**
 * One model's production embeddings of its newest queue items (queued or labeled), labelled by
 * item id, in two generations of half the window each (`GenerationalIndex`).
 */
export class ProductionIndex {
  constructor(
    readonly index: GenerationalIndex,
    public highWater: number,
  ) {}

  add(itemId: number, embedding: ArrayLike<number>): void {
    this.index.add(itemId, embedding);
    this.highWater = Math.max(this.highWater, itemId);
  }

  nearest(embedding: ArrayLike<number>, k: number): Neighbors {
    return this.index.search(embedding, k);
  }
}

/**
 * Owns every model's ProductionIndex: derived from the database, saved beside it,
 * loaded and caught up on first use. Changes happen inside ingest transactions, under
 * the model's queue lock.
 */
export class NearDuplicateRegistry {
  private readonly indexes: DerivedIndexes<ProductionIndex, ItemRow, Db, Model>;

  constructor(
    dir: string,
    log: Logger,
    opts: {
      reads: Pick<QueueReads['predictions'], 'predictionEmbeddingsBySeq'>;
      /**
       * Most items per model the index holds, the newest: bounds its memory however long the
       * queue grows. It holds two generations of window/2 (rounded down) items, so it always
       * remembers at least the newest window/2 + 1 items (docs/indexing.md).
       */
      window: number;
      params?: HnswParams;
      snapshots?: SnapshotOptions | undefined;
      /** Checks saved files off the event loop (`IndexCheckThread`). */
      check?: IndexChecker | undefined;
    },
  ) {
    const generationSize = Math.max(1, Math.floor(opts.window / 2));
    const params = GenerationalIndex.params(opts.params ?? DUPLICATE_HNSW, generationSize);
    this.indexes = new DerivedIndexes(productionKind(opts.reads, params, opts.window, generationSize), dir, log, { snapshots: opts.snapshots, check: opts.check });
  }

  /** The model's index, loading it on first use. */
  get(db: Db, model: Model): Promise<ProductionIndex> {
    return this.indexes.get(db, model);
  }

  /** The model's index if it is loaded (possibly behind the database). */
  loaded(modelId: number): ProductionIndex | undefined {
    return this.indexes.peek(modelId);
  }

  /**
   * The model's index with every item committed so far, by any instance. Ingest calls it inside
   * its transaction (`db`) under the model's queue lock, so no item with a lower id can commit
   * after it. Only there: outside a transaction, on SQLite's one connection, waiting for the
   * index's lock while an ingest transaction waits for it would deadlock.
   */
  caughtUp(trx: Db, model: Model): Promise<ProductionIndex> {
    return this.indexes.current(trx, model);
  }

  /** Marks the model's index as changed, to be saved. */
  touched(modelId: number): void {
    this.indexes.touched(modelId);
  }

  /** Forgets the model's index and its files: the next use rebuilds it from the database. */
  invalidate(modelId: number): void {
    this.indexes.invalidate(modelId);
  }

  /** Drops a loaded index whose embedding space no longer matches the model. */
  reconfigure(model: Model): void {
    const loaded = this.indexes.peek(model.id);
    if (loaded && (loaded.index.metric !== model.metric || loaded.index.dim !== model.embeddingDim)) this.invalidate(model.id);
  }

  sizes(): { modelId: number; items: number }[] {
    return this.indexes.entries().map(([modelId, p]) => ({ modelId, items: p.index.size }));
  }

  /** Saves every index changed since its last save, and publishes snapshots (when due, by default). */
  saveAll(publish: Publication = 'due'): Promise<void> {
    return this.indexes.saveAll(publish);
  }
}

type ItemRow = { id: number; embedding: Buffer };

function productionKind(reads: Pick<QueueReads['predictions'], 'predictionEmbeddingsBySeq'>, params: HnswParams, window: number, generationSize: number): DerivedIndexKind<ProductionIndex, ItemRow, Db, Model> {
  return {
    label: 'near-duplicate index',
    key: 'near-duplicates',
    // The previous generation, then the current one (`GenerationalIndex.generations`).
    files: { indexes: ['production.previous.hnsw', 'production.hnsw'], state: 'production.json' },
    params,
    pageSize: PAGE,
    create: (_model, generations) => new ProductionIndex(new GenerationalIndex(generationSize, generations), 0),
    // Each file must hold the generation the state names: files renamed into place one by one
    // and a kill between two renames leave a previous file that is the former current one.
    restore: (_model, generations, state) => {
      const index = new GenerationalIndex(generationSize, generations, exactStateOf(state['exact']));
      const same = state['generationSize'] === generationSize && JSON.stringify(state['generations']) === JSON.stringify(index.generationRanges);
      return same ? new ProductionIndex(index, state.highWater) : undefined;
    },
    indexesOf: (p) => p.index.generations,
    stateOf: (p) => ({ count: p.index.size, generationSize, generations: p.index.generationRanges, exact: p.index.exactState() }),
    highWater: (p) => p.highWater,
    // It must hold every item from its oldest one up to its high-water mark.
    agrees: async (db, model, p) => {
      const first = p.index.first;
      return (await countItemsBetween(db, model.id, first === undefined ? 0 : first - 1, p.highWater)) === p.index.size;
    },
    page: async (db, model, after, limit) => {
      const rows = await listItemEmbeddings(db, reads, model.id, after, limit);
      if (rows.length < limit) return rows;
      // Far behind (a rebuild, a long gap): items older than the window would only be dropped again.
      const start = await idBeforeNewest(db, model.id, window);
      return start > after ? listItemEmbeddings(db, reads, model.id, start, limit) : rows;
    },
    apply: (p, rows) => {
      for (const r of rows) p.add(r.id, decodeVector(r.embedding));
    },
    describe: (p) => ({ items: p.index.size }),
  };
}

/** The exact-match keys of a saved state, when it has them in their form (a state saved before them has none). */
function exactStateOf(saved: unknown): ExactState | undefined {
  return Array.isArray(saved) && saved.length === 2 && saved.every((k) => typeof k === 'string') ? (saved as ExactState) : undefined;
}
