import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { KeyedLock } from '../util/keyed-lock.js';
import { HnswIndex, type HnswParams } from './hnsw-index.js';
import type { Metric, VectorIndex } from './vector-index.js';

/** The embedding space a derived index lives in (a model satisfies it). */
export interface IndexSpace {
  readonly id: number;
  readonly name: string;
  readonly metric: Metric;
  readonly embeddingDim: number;
}

/** What every saved state file holds; a kind adds its own fields beside these. */
export interface SavedHeader {
  version: 1;
  metric: string;
  dim: number;
  highWater: number;
  [field: string]: unknown;
}

/**
 * One kind of derived index (a model's reference set, its near-duplicate index): the parts
 * that differ. Everything else (files, checks, catch-up, saving) is `DerivedIndexes`.
 * `Source` is where rows come from (the database or an open transaction).
 */
export interface DerivedIndexKind<T, Row, Source, Space extends IndexSpace = IndexSpace> {
  /** Names the index in logs ("reference index"). */
  readonly label: string;
  /** File names in the model's folder: the HNSW files, in the order `indexesOf` returns them, and the state. */
  readonly files: { readonly indexes: readonly string[]; readonly state: string };
  readonly params: HnswParams;
  /** Rows read per catch-up query. */
  readonly pageSize: number;
  /** An empty structure over fresh indexes, given in `files.indexes` order. */
  create(space: Space, indexes: HnswIndex[]): T;
  /** False when the saved state cannot serve `space` as it is now (checked before the files load). */
  accepts?(space: Space, state: SavedHeader): boolean;
  /** The structure over loaded indexes and its saved state; undefined when they disagree. */
  restore(space: Space, indexes: HnswIndex[], state: SavedHeader): T | undefined;
  indexesOf(t: T): VectorIndex[];
  /** The kind's own fields of the state file. */
  stateOf(t: T): Record<string, unknown>;
  highWater(t: T): number;
  /** True when a loaded structure still matches the source up to its high-water mark. */
  agrees(source: Source, space: Space, t: T): Promise<boolean>;
  /** Rows after the high-water mark `after`, oldest first, at most `limit`. */
  page(source: Source, space: Space, after: number, limit: number): Promise<Row[]>;
  /** Adds rows (one page, oldest first) and moves the high-water mark. */
  apply(t: T, rows: Row[]): void;
  /** Fields of the "ready" log line. */
  describe(t: T, space: Space): Record<string, unknown>;
}

/**
 * The one lifecycle of derived indexes, per model: load the saved files (checksummed), check
 * version, metric and dimension, compare with the database and rebuild when they differ,
 * catch up page by page after the high-water mark, track what changed, and save through a
 * temp file and a rename. The database is the truth; these files only save time at start.
 */
export class DerivedIndexes<T, Row, Source, Space extends IndexSpace = IndexSpace> {
  private readonly loaded = new Map<number, T>();
  private readonly dirty = new Set<number>();
  private readonly locks = new KeyedLock<number>();

  constructor(
    private readonly kind: DerivedIndexKind<T, Row, Source, Space>,
    private readonly dir: string,
    private readonly log: Logger,
    /** Runs once a model's structure is open and caught up, under its lock. */
    private readonly opened: (modelId: number, t: T) => Promise<void> = async () => {},
  ) {}

  /** The model's structure if it is loaded. */
  peek(modelId: number): T | undefined {
    return this.loaded.get(modelId);
  }

  entries(): [number, T][] {
    return [...this.loaded];
  }

  /** The model's structure, loading and catching it up on first use. */
  async get(source: Source, space: Space): Promise<T> {
    return this.loaded.get(space.id) ?? this.lock(space.id, async () => this.loaded.get(space.id) ?? this.open(source, space));
  }

  /** Adds the rows committed after the high-water mark (loading the structure first if needed); returns how many. */
  async catchUp(source: Source, space: Space): Promise<number> {
    if (!this.loaded.has(space.id)) {
      await this.get(source, space);
      return 0;
    }
    return this.lock(space.id, async () => {
      const t = this.loaded.get(space.id);
      return t ? this.follow(source, space, t) : 0;
    });
  }

  /** Runs `fn` alone among the changes to the model's structure. */
  lock<R>(modelId: number, fn: () => Promise<R>): Promise<R> {
    return this.locks.run(modelId, fn);
  }

  /** Marks the model's structure as changed, to be saved. */
  touched(modelId: number): void {
    this.dirty.add(modelId);
  }

  /** Forgets the model's structure and its state file: the next use rebuilds it from the database. */
  invalidate(modelId: number): void {
    this.loaded.delete(modelId);
    this.dirty.delete(modelId);
    fs.rmSync(this.files(modelId).state, { force: true });
  }

  /** Saves every structure changed since its last save. */
  async saveAll(): Promise<void> {
    for (const modelId of [...this.dirty]) await this.lock(modelId, async () => this.saveNow(modelId));
  }

  /** Saves the model's structure now; call under its lock. */
  saveNow(modelId: number): void {
    const t = this.loaded.get(modelId);
    if (!t) return;
    const f = this.files(modelId);
    fs.mkdirSync(f.base, { recursive: true });
    const indexes = this.kind.indexesOf(t);
    indexes.forEach((index, i) => index.save(f.indexes[i]!));
    const [first] = indexes;
    const state: SavedHeader = { version: 1, metric: first!.metric, dim: first!.dim, highWater: this.kind.highWater(t), ...this.kind.stateOf(t) };
    const tmp = `${f.state}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, f.state);
    this.dirty.delete(modelId);
  }

  /** Paths of the model's files. */
  files(modelId: number): { base: string; indexes: string[]; state: string } {
    const base = path.join(this.dir, `model-${modelId}`);
    return { base, indexes: this.kind.files.indexes.map((n) => path.join(base, n)), state: path.join(base, this.kind.files.state) };
  }

  private async open(source: Source, space: Space): Promise<T> {
    const started = performance.now();
    let t = this.loadSaved(space);
    const loaded = t !== undefined;
    if (t && !(await this.kind.agrees(source, space, t))) {
      this.log.warn({ model: space.name }, `saved ${this.kind.label} disagrees with the database; rebuilding`);
      t = undefined;
    }
    t ??= this.kind.create(space, this.kind.files.indexes.map(() => HnswIndex.create(space.metric, space.embeddingDim, this.kind.params)));
    const fromSeq = this.kind.highWater(t);
    const caughtUp = await this.follow(source, space, t);
    this.loaded.set(space.id, t);
    await this.opened(space.id, t);
    this.log.info({ model: space.name, loaded, fromSeq, caughtUp, ...this.kind.describe(t, space), ms: Math.round(performance.now() - started) }, `${this.kind.label} ready`);
    return t;
  }

  private async follow(source: Source, space: Space, t: T): Promise<number> {
    let caughtUp = 0;
    for (let rows = await this.kind.page(source, space, this.kind.highWater(t), this.kind.pageSize); rows.length > 0; ) {
      this.kind.apply(t, rows);
      caughtUp += rows.length;
      rows = await this.kind.page(source, space, this.kind.highWater(t), this.kind.pageSize);
    }
    if (caughtUp > 0) this.dirty.add(space.id);
    return caughtUp;
  }

  private loadSaved(space: Space): T | undefined {
    const f = this.files(space.id);
    if (!fs.existsSync(f.state)) return undefined;
    try {
      const state = JSON.parse(fs.readFileSync(f.state, 'utf8')) as SavedHeader;
      if (state.version !== 1 || state.metric !== space.metric || state.dim !== space.embeddingDim) return undefined;
      if (this.kind.accepts && !this.kind.accepts(space, state)) return undefined;
      const indexes: HnswIndex[] = [];
      for (const file of f.indexes) {
        const index = HnswIndex.load(file, space.metric, space.embeddingDim, this.kind.params);
        if (!index) return undefined;
        indexes.push(index);
      }
      return this.kind.restore(space, indexes, state);
    } catch (err) {
      this.log.warn({ err, model: space.name }, `saved ${this.kind.label} unreadable; rebuilding from the database`);
      return undefined;
    }
  }
}
