import fs from 'node:fs';
import path from 'node:path';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { listExampleMeta, listReferenceRows, type ReferenceRow } from '../examples/examples.repository.js';
import type { Model } from '../models/model.js';
import { decodeVector } from '../util/vectors.js';
import { HnswIndex, type HnswParams, DEFAULT_HNSW } from '../vectors/hnsw-index.js';
import { ReplicatedIndex } from '../vectors/replicated-index.js';
import type { SearchWorker } from '../vectors/search-worker.js';
import { ReferenceSet, type CalibrationEntry, type ReferencePoint } from './reference-set.js';

interface SavedState {
  version: 1;
  metric: string;
  dim: number;
  k: number;
  highWater: number;
  trainCount: number;
  evalCount: number;
  calibration: CalibrationEntry[];
}

const PAGE = 2000;

/**
 * Owns every model's ReferenceSet: derived state, saved beside the database and
 * caught up from it at start. All changes to one set go through its lock.
 */
export class ReferenceRegistry {
  private readonly sets = new Map<number, ReferenceSet>();
  private readonly trains = new Map<number, ReplicatedIndex>();
  private readonly locks = new Map<number, PQueue>();
  private readonly dirty = new Set<number>();
  private replicating = false;

  constructor(
    private readonly db: Db,
    private readonly dir: string,
    /** Serves batch searches off the main thread once `startReplicas()` ran; none in the CLI. */
    private readonly searchWorker: SearchWorker | undefined,
    private readonly log: Logger,
    private readonly params: HnswParams = DEFAULT_HNSW,
  ) {}

  /** The model's set, loading and catching it up on first use. */
  async get(model: Model): Promise<ReferenceSet> {
    const existing = this.sets.get(model.id);
    if (existing) return existing;
    return this.lock(model.id, async () => this.sets.get(model.id) ?? this.open(model));
  }

  /** Sizes of every loaded set, for metrics. */
  sizes(): { modelId: number; train: number; eval: number }[] {
    return [...this.sets].map(([modelId, s]) => ({ modelId, train: s.train.size, eval: s.evalIndex.size }));
  }

  /** Adds committed examples to the model's set. */
  async add(model: Model, points: ReferencePoint[]): Promise<void> {
    const set = await this.get(model);
    await this.lock(model.id, async () => {
      set.add(points);
      this.dirty.add(model.id);
    });
  }

  /** Applies changed settings (k, calibration minimum) to a loaded set. */
  async reconfigure(model: Model): Promise<void> {
    const set = this.sets.get(model.id);
    if (!set) return;
    await this.lock(model.id, async () => {
      set.reconfigure({ k: model.settings.ood.k, minCalibration: model.settings.ood.minCalibration });
      this.dirty.add(model.id);
    });
  }

  /**
   * Serves batch searches of every train split from replicas in the search worker, for the
   * sets open now and those opened later, and again after each restart of the worker.
   */
  async startReplicas(): Promise<void> {
    const worker = this.searchWorker;
    if (!worker) return;
    this.replicating = true;
    worker.onRestart(() => void this.replicateAll().catch((err: unknown) => this.log.error({ err }, 'search replicas not reloaded')));
    await this.replicateAll();
  }

  /** Saves every set changed since its last save. */
  async saveAll(): Promise<void> {
    for (const modelId of [...this.dirty]) {
      const set = this.sets.get(modelId);
      if (!set) continue;
      await this.lock(modelId, async () => {
        this.save(modelId, set);
        this.dirty.delete(modelId);
      });
    }
  }

  private lock<T>(modelId: number, fn: () => Promise<T>): Promise<T> {
    let q = this.locks.get(modelId);
    if (!q) this.locks.set(modelId, (q = new PQueue({ concurrency: 1 })));
    return q.add(fn);
  }

  private async replicateAll(): Promise<void> {
    for (const modelId of [...this.sets.keys()]) await this.lock(modelId, () => this.replicate(modelId));
  }

  /** Loads the model's train replica in the search worker; call under the model's lock. */
  private async replicate(modelId: number): Promise<void> {
    const worker = this.replicating ? this.searchWorker : undefined;
    const set = this.sets.get(modelId);
    const train = this.trains.get(modelId);
    if (!worker || !set || !train) return;
    const f = this.files(modelId);
    try {
      // The replica starts from the saved train index; saving the whole set keeps the files consistent.
      if (train.origin !== f.train) {
        this.save(modelId, set);
        this.dirty.delete(modelId);
      }
      await train.replicate(worker, f.train);
    } catch (err) {
      this.log.error({ err, modelId }, 'search replica not loaded; searching this model on the main thread');
    }
  }

  private files(modelId: number) {
    const base = path.join(this.dir, `model-${modelId}`);
    return { base, train: path.join(base, 'train.hnsw'), eval: path.join(base, 'eval.hnsw'), state: path.join(base, 'state.json') };
  }

  private async open(model: Model): Promise<ReferenceSet> {
    const started = performance.now();
    const options = { k: model.settings.ood.k, minCalibration: model.settings.ood.minCalibration };
    let set = this.loadSaved(model, options);
    const loaded = set !== undefined;
    if (set) {
      const meta = await listExampleMeta(this.db, model.id, set.highWater);
      for (const r of meta) set.remember(r.seq, r.id, parseConcepts(r));
      const trainRows = meta.filter((r) => r.split === 'train').length;
      if (trainRows !== set.train.size || meta.length - trainRows !== set.evalIndex.size) {
        this.log.warn({ model: model.name }, 'saved reference index disagrees with the database; rebuilding');
        set = undefined;
      }
    }
    if (!set) {
      set = new ReferenceSet(
        this.trainIndex(model.id, HnswIndex.create(model.metric, model.embeddingDim, this.params)),
        HnswIndex.create(model.metric, model.embeddingDim, this.params),
        options,
      );
    }
    const before = set.highWater;
    let caughtUp = 0;
    for (let rows = await listReferenceRows(this.db, model.id, set.highWater, PAGE); rows.length > 0; ) {
      set.add(rows.map(toPoint));
      caughtUp += rows.length;
      rows = await listReferenceRows(this.db, model.id, set.highWater, PAGE);
    }
    this.sets.set(model.id, set);
    if (caughtUp > 0) this.dirty.add(model.id);
    await this.replicate(model.id);
    this.log.info(
      {
        model: model.name,
        loaded,
        fromSeq: before,
        caughtUp,
        train: set.train.size,
        eval: set.evalIndex.size,
        searchReplica: this.searchWorker?.ready(model.id) ?? false,
        ms: Math.round(performance.now() - started),
      },
      'reference index ready',
    );
    return set;
  }

  private loadSaved(model: Model, options: { k: number; minCalibration: number }): ReferenceSet | undefined {
    const f = this.files(model.id);
    if (!fs.existsSync(f.state)) return undefined;
    try {
      const state = JSON.parse(fs.readFileSync(f.state, 'utf8')) as SavedState;
      if (state.version !== 1 || state.metric !== model.metric || state.dim !== model.embeddingDim || state.k !== options.k) return undefined;
      const train = HnswIndex.load(f.train, model.metric, model.embeddingDim, this.params);
      const evalIndex = HnswIndex.load(f.eval, model.metric, model.embeddingDim, this.params);
      if (!train || !evalIndex || train.size !== state.trainCount || evalIndex.size !== state.evalCount) return undefined;
      const set = new ReferenceSet(this.trainIndex(model.id, train), evalIndex, options);
      set.restoreCalibration(state.calibration);
      set.highWater = state.highWater;
      return set;
    } catch (err) {
      this.log.warn({ err, model: model.name }, 'saved reference index unreadable; rebuilding from the database');
      return undefined;
    }
  }

  private trainIndex(modelId: number, index: HnswIndex): ReplicatedIndex {
    const train = new ReplicatedIndex(index, modelId);
    this.trains.set(modelId, train);
    return train;
  }

  private save(modelId: number, set: ReferenceSet): void {
    const f = this.files(modelId);
    fs.mkdirSync(f.base, { recursive: true });
    set.train.save(f.train);
    set.evalIndex.save(f.eval);
    const state: SavedState = {
      version: 1,
      metric: set.train.metric,
      dim: set.train.dim,
      k: set.k,
      highWater: set.highWater,
      trainCount: set.train.size,
      evalCount: set.evalIndex.size,
      calibration: set.calibrationEntries(),
    };
    const tmp = `${f.state}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, f.state);
  }
}

function parseConcepts(r: { concepts_json: string }): string[] {
  return JSON.parse(r.concepts_json) as string[];
}

function toPoint(r: ReferenceRow): ReferencePoint {
  return { seq: r.seq, id: r.id, split: r.split === 'eval' ? 'eval' : 'train', concepts: parseConcepts(r), embedding: decodeVector(r.embedding) };
}
