import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Model } from '../models/model.js';
import { decodeVector } from '../util/vectors.js';
import { HnswIndex, type HnswParams } from '../vectors/hnsw-index.js';
import type { Neighbors, VectorIndex } from '../vectors/vector-index.js';
import { countItemsUpTo, listItemEmbeddings } from './queue.repository.js';

/** Only the nearest few matter for a radius check, so the graph is built cheaper than the reference index. */
export const DUPLICATE_HNSW: HnswParams = Object.freeze({ m: 12, efConstruction: 48, efSearch: 48 });

interface SavedState {
  version: 1;
  metric: string;
  dim: number;
  highWater: number;
  count: number;
}

const PAGE = 5000;

/** One model's production embeddings of queue items (queued or labeled), labelled by item id. */
export class ProductionIndex {
  constructor(
    readonly index: VectorIndex,
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
 * loaded and caught up on first use. Changes happen inside ingest transactions,
 * which the single database connection runs one at a time.
 */
export class NearDuplicateRegistry {
  private readonly indexes = new Map<number, ProductionIndex>();
  private readonly loading = new Map<number, Promise<ProductionIndex>>();
  private readonly dirty = new Set<number>();

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly params: HnswParams = DUPLICATE_HNSW,
  ) {}

  /** The model's index; `db` must be the open transaction when called inside one. */
  async get(db: Db, model: Model): Promise<ProductionIndex> {
    const loaded = this.indexes.get(model.id);
    if (loaded) return loaded;
    let pending = this.loading.get(model.id);
    if (!pending) {
      pending = this.open(db, model).finally(() => this.loading.delete(model.id));
      this.loading.set(model.id, pending);
    }
    return pending;
  }

  /** Marks the model's index as changed, to be saved. */
  touched(modelId: number): void {
    this.dirty.add(modelId);
  }

  /** Forgets the model's index and its files: the next use rebuilds it from the database. */
  invalidate(modelId: number): void {
    this.indexes.delete(modelId);
    this.dirty.delete(modelId);
    fs.rmSync(this.files(modelId).state, { force: true });
  }

  /** Drops a loaded index whose embedding space no longer matches the model. */
  reconfigure(model: Model): void {
    const loaded = this.indexes.get(model.id);
    if (loaded && (loaded.index.metric !== model.metric || loaded.index.dim !== model.embeddingDim)) this.invalidate(model.id);
  }

  sizes(): { modelId: number; items: number }[] {
    return [...this.indexes].map(([modelId, p]) => ({ modelId, items: p.index.size }));
  }

  /** Saves every index changed since its last save. */
  async saveAll(): Promise<void> {
    for (const modelId of [...this.dirty]) {
      const p = this.indexes.get(modelId);
      if (p) this.save(modelId, p);
      this.dirty.delete(modelId);
    }
  }

  private files(modelId: number) {
    const base = path.join(this.dir, `model-${modelId}`);
    return { base, index: path.join(base, 'production.hnsw'), state: path.join(base, 'production.json') };
  }

  private async open(db: Db, model: Model): Promise<ProductionIndex> {
    const started = performance.now();
    let p = this.loadSaved(model);
    const loaded = p !== undefined;
    if (p && (await countItemsUpTo(db, model.id, p.highWater)) !== p.index.size) {
      this.log.warn({ model: model.name }, 'saved near-duplicate index disagrees with the database; rebuilding');
      p = undefined;
    }
    p ??= new ProductionIndex(HnswIndex.create(model.metric, model.embeddingDim, this.params), 0);
    const before = p.highWater;
    let caughtUp = 0;
    for (let rows = await listItemEmbeddings(db, model.id, p.highWater, PAGE); rows.length > 0; ) {
      for (const r of rows) p.add(r.id, decodeVector(r.embedding));
      caughtUp += rows.length;
      rows = await listItemEmbeddings(db, model.id, p.highWater, PAGE);
    }
    this.indexes.set(model.id, p);
    if (caughtUp > 0) this.dirty.add(model.id);
    this.log.info({ model: model.name, loaded, fromItem: before, caughtUp, items: p.index.size, ms: Math.round(performance.now() - started) }, 'near-duplicate index ready');
    return p;
  }

  private loadSaved(model: Model): ProductionIndex | undefined {
    const f = this.files(model.id);
    if (!fs.existsSync(f.state)) return undefined;
    try {
      const state = JSON.parse(fs.readFileSync(f.state, 'utf8')) as SavedState;
      if (state.version !== 1 || state.metric !== model.metric || state.dim !== model.embeddingDim) return undefined;
      const index = HnswIndex.load(f.index, model.metric, model.embeddingDim, this.params);
      if (!index || index.size !== state.count) return undefined;
      return new ProductionIndex(index, state.highWater);
    } catch (err) {
      this.log.warn({ err, model: model.name }, 'saved near-duplicate index unreadable; rebuilding from the database');
      return undefined;
    }
  }

  private save(modelId: number, p: ProductionIndex): void {
    const f = this.files(modelId);
    fs.mkdirSync(f.base, { recursive: true });
    p.index.save(f.index);
    const state: SavedState = { version: 1, metric: p.index.metric, dim: p.index.dim, highWater: p.highWater, count: p.index.size };
    const tmp = `${f.state}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, f.state);
  }
}
