import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Model } from '../models/model.js';
import { decodeVector } from '../util/vectors.js';
import { DerivedIndexes } from '../vectors/derived-index.js';
import type { DerivedIndexKind, IndexOpening, Publication, SnapshotOptions } from '../vectors/derived-index.types.js';
import { type HnswIndex, type HnswParams, DEFAULT_HNSW } from '../vectors/hnsw-index.js';
import type { IndexChecker } from '../vectors/index-file.js';
import { ReplicatedIndex } from '../vectors/replicated-index.js';
import type { SearchPool } from '../vectors/search-pool.js';
import type { ReferenceReads, ReferenceRow } from './reference.ports.js';
import { ReferenceSet, type CalibrationEntry, type ReferencePoint } from './reference-set.js';

const PAGE = 2000;

/**
 * Owns every model's ReferenceSet: derived state, saved beside the database and
 * caught up from it at start. All changes to one set go through its lock.
 */
export class ReferenceRegistry {
  private readonly indexes: DerivedIndexes<ReferenceSet, ReferenceRow, Db, Model>;
  private replicating = false;
  /** Replica keys: one per train or eval index ever made, so a set's successor never takes over its replicas. */
  private lastKey = 0;

  constructor(
    private readonly db: Db,
    dir: string,
    /** Serves batch searches off the main thread once `startReplicas()` ran; none in the CLI. */
    private readonly searchPool: SearchPool | undefined,
    private readonly log: Logger,
    opts: { reads: ReferenceReads; params?: HnswParams; snapshots?: SnapshotOptions | undefined; check?: IndexChecker | undefined },
  ) {
    this.indexes = new DerivedIndexes(this.kind(opts.reads, opts.params ?? DEFAULT_HNSW), dir, log, {
      opened: async (modelId, set) => this.replicate(modelId, set),
      // A set that answers no more (replaced by its caught-up successor) frees its replicas.
      retired: (_modelId, set) => {
        for (const index of replicated(set)) index.detach();
      },
      snapshots: opts.snapshots,
      check: opts.check,
    });
  }

  /** The model's set, loading and catching it up on first use. */
  get(model: Model): Promise<ReferenceSet> {
    return this.indexes.get(this.db, model);
  }

  /** Adds the examples committed after the set's high-water mark, by this instance or any other. */
  catchUp(model: Model): Promise<ReferenceSet> {
    return this.indexes.current(this.db, model);
  }

  /**
   * Brings the set level with the database: settings changed on another instance (k,
   * calibration minimum), a newer published snapshot (PostgreSQL: every instance continues
   * from the same one, so their graphs and calibration stay identical), then the examples
   * committed since. `model` must be freshly read
   * (the follower's poll), and the caller outside any transaction.
   */
  async follow(model: Model): Promise<void> {
    const set = await this.get(model);
    if (set.k !== model.settings.ood.k || set.minCalibration !== model.settings.ood.minCalibration) await this.reconfigure(model);
    await this.indexes.rebase(this.db, model);
    await this.catchUp(model);
    // Replicas held back by a bulk load catch up, off this thread, once a poll interval passes without one.
    for (const index of replicated(await this.get(model))) {
      void index.settle().catch((err: unknown) => this.log.warn({ err, model: model.name }, 'a search replica did not catch up; searches go to the others'));
    }
  }

  /** How the model's set was opened (from its saved files, a published snapshot, or rebuilt). */
  opening(modelId: number): IndexOpening | undefined {
    return this.indexes.opening(modelId);
  }

  /** Sizes of every loaded set, and the published snapshot it continues from (PostgreSQL), for metrics. */
  sizes(): { modelId: number; train: number; eval: number; snapshot: number | undefined }[] {
    return this.indexes.entries().map(([modelId, s]) => ({ modelId, train: s.train.size, eval: s.evalIndex.size, snapshot: this.indexes.base(modelId) }));
  }

  /** Applies changed settings (k, calibration minimum) to a loaded set. */
  async reconfigure(model: Model): Promise<void> {
    const set = this.indexes.peek(model.id);
    if (!set) return;
    await this.indexes.lock(model.id, async () => {
      set.reconfigure(optionsOf(model));
      this.indexes.touched(model.id);
    });
  }

  /**
   * Serves batch searches of every train and eval split from replicas in the search threads, for
   * the sets open now and those opened later, and again after each restart of a thread.
   */
  async startReplicas(): Promise<void> {
    const worker = this.searchPool;
    if (!worker) return;
    this.replicating = true;
    worker.onRestart(() => void this.replicateAll().catch((err: unknown) => this.log.error({ err }, 'search replicas not reloaded')));
    await this.replicateAll();
  }

  /** Saves every set changed since its last save, and publishes snapshots (when due, by default). */
  saveAll(publish: Publication = 'due'): Promise<void> {
    return this.indexes.saveAll(publish);
  }

  private async replicateAll(): Promise<void> {
    for (const [modelId] of this.indexes.entries()) {
      await this.indexes.lock(modelId, async () => {
        const set = this.indexes.peek(modelId);
        if (set) await this.replicate(modelId, set);
      });
    }
  }

  /**
   * Loads the model's train and eval replicas in every search thread; call under the model's
   * lock. The eval replica answers the searches a new train point makes for the eval points
   * whose k nearest it joins, most of a bulk load's main-thread searching (docs/indexing.md).
   */
  private async replicate(modelId: number, set: ReferenceSet): Promise<void> {
    const worker = this.replicating ? this.searchPool : undefined;
    const { train, evalIndex } = set;
    if (!worker || !(train instanceof ReplicatedIndex) || !(evalIndex instanceof ReplicatedIndex)) return;
    const [trainFile, evalFile] = this.indexes.files(modelId).indexes;
    // A rebase opens the set's successor while the set still answers: both hold replicas until
    // the successor, caught up, replaces it and the `retired` hook drops the set's, so the set
    // keeps searching off this thread meanwhile.
    try {
      if (train.origin !== trainFile || evalIndex.origin !== evalFile) {
        // The replica starts from the saved train index; saving the whole set keeps the files
        // consistent. Reloading resets hnswlib's level generator: the set no longer grows as
        // the published snapshot's copies do until it continues from a newer one.
        this.indexes.saveNow(modelId);
        this.indexes.diverged(modelId);
      }
      await train.replicate(worker, trainFile!);
      await evalIndex.replicate(worker, evalFile!);
    } catch (err) {
      this.log.error({ err, modelId }, 'search replica not loaded; searching this model on the main thread');
    }
  }

  /**
   * A set whose eval index holds its replicas back whenever the train index does (a bulk load),
   * and whose two indexes take consecutive replica keys, so the one replica of each that keeps
   * up does so on different threads (`SearchPool.holdBack`).
   */
  private newSet(model: Model, trainLocal: HnswIndex, evalLocal: HnswIndex): ReferenceSet {
    const train = new ReplicatedIndex(trainLocal, ++this.lastKey);
    return new ReferenceSet(train, new ReplicatedIndex(evalLocal, ++this.lastKey, train), optionsOf(model));
  }

  private kind(reads: ReferenceReads, params: HnswParams): DerivedIndexKind<ReferenceSet, ReferenceRow, Db, Model> {
    return {
      label: 'reference index',
      key: 'reference',
      files: { indexes: ['train.hnsw', 'eval.hnsw'], state: 'state.json' },
      params,
      pageSize: PAGE,
      create: (model, [train, evalIndex]) => this.newSet(model, train!, evalIndex!),
      accepts: (model, state) => state['k'] === model.settings.ood.k,
      restore: (model, [train, evalIndex], state) => {
        if (train!.size !== state['trainCount'] || evalIndex!.size !== state['evalCount']) return undefined;
        const set = this.newSet(model, train!, evalIndex!);
        set.restoreCalibration(state['calibration'] as CalibrationEntry[]);
        set.highWater = state.highWater;
        return set;
      },
      indexesOf: (set) => [set.train, set.evalIndex],
      stateOf: (set) => ({ k: set.k, trainCount: set.train.size, evalCount: set.evalIndex.size, calibration: set.calibrationEntries() }),
      highWater: (set) => set.highWater,
      agrees: async (db, model, set) => {
        const meta = await reads.listExampleMeta(db, model.id, set.highWater);
        for (const r of meta) set.remember(r.seq, r.id, parseConcepts(r));
        const trainRows = meta.filter((r) => r.split === 'train').length;
        return trainRows === set.train.size && meta.length - trainRows === set.evalIndex.size;
      },
      page: (db, model, after, limit) => reads.listReferenceRows(db, model.id, after, limit),
      apply: (set, rows) => set.add(rows.map(toPoint)),
      describe: (set) => ({ train: set.train.size, eval: set.evalIndex.size, searchReplicas: set.train instanceof ReplicatedIndex ? (this.searchPool?.readyCount(set.train.key) ?? 0) : 0 }),
    };
  }
}

function optionsOf(model: Model): { k: number; minCalibration: number } {
  return { k: model.settings.ood.k, minCalibration: model.settings.ood.minCalibration };
}

function parseConcepts(r: { concepts_json: string }): string[] {
  return JSON.parse(r.concepts_json) as string[];
}

function toPoint(r: ReferenceRow): ReferencePoint {
  return { seq: r.seq, id: r.id, split: r.split, concepts: parseConcepts(r), embedding: decodeVector(r.embedding) };
}

/** The set's train and eval indexes that have replicas in the search threads. */
function replicated(set: ReferenceSet): ReplicatedIndex[] {
  return [set.train, set.evalIndex].filter((index): index is ReplicatedIndex => index instanceof ReplicatedIndex);
}
