import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { KeyedLock } from '../util/keyed-lock.js';
import { HnswIndex } from './hnsw-index.js';
import { checkIndexFile, commitIndex, type IndexChecker, type WrittenIndex } from './index-file.js';
import type { DerivedIndexKind, IndexOpening, IndexOrigin, IndexSpace, Publication, SavedHeader, SnapshotOptions } from './derived-index.types.js';
import { holdsPublished } from './published-files.js';

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
  private readonly openings = new Map<number, IndexOpening>();
  /** Per model, when this instance last published (or found published) a snapshot as new as its own. */
  private readonly published = new Map<number, { at: number; highWater: number }>();
  /** Per model, the high-water mark of the published snapshot its structure continues from (`snapshots.follow`). */
  private readonly bases = new Map<number, number>();
  /** Per model, bumped by every save and invalidation: a save whose check ends after a newer one began is dropped. */
  private readonly generations = new Map<number, number>();
  /** The periodic and the shutdown save run one after the other, never interleaved. */
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly kind: DerivedIndexKind<T, Row, Source, Space>,
    private readonly dir: string,
    private readonly log: Logger,
    private readonly hooks: {
      /**
       * Runs once a model's structure is open, under its lock: for a structure loaded from a
       * file, before anything is added to it (replicas can then load the same file); for a
       * rebuilt one, once it is caught up.
       */
      opened?: (modelId: number, t: T) => Promise<void>;
      /**
       * Runs for an opened structure that will answer no more: the one a rebase replaced or
       * `invalidate` forgot, or the successor whose catch-up failed.
       */
      retired?: (modelId: number, t: T) => void;
      /** Publish and join from snapshots (PostgreSQL: instances share the database, not files). */
      snapshots?: SnapshotOptions | undefined;
      /** Reads back and hashes each written file in `saveAll`: a thread, so the event loop only writes. Default: here. */
      check?: IndexChecker | undefined;
    } = {},
  ) {}

  /** How the model's structure was opened, once it is. */
  opening(modelId: number): IndexOpening | undefined {
    return this.openings.get(modelId);
  }

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

  /** The model's structure with every row committed after its high-water mark added (loading it first if needed). */
  async current(source: Source, space: Space): Promise<T> {
    const t = this.loaded.get(space.id);
    if (!t) return this.get(source, space);
    return this.lock(space.id, async () => {
      const now = this.loaded.get(space.id);
      if (!now) return this.open(source, space);
      await this.follow(source, space, now);
      return now;
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
    const t = this.loaded.get(modelId);
    this.loaded.delete(modelId);
    this.dirty.delete(modelId);
    this.nextGeneration(modelId);
    fs.rmSync(this.files(modelId).state, { force: true });
    if (t !== undefined) this.hooks.retired?.(modelId, t);
  }

  /**
   * Saves every structure changed since its last save. With snapshots, then publishes each
   * structure that is newer than the published one: `due`, at most every `publishEveryMs`;
   * `now`, whatever the time (at shutdown); `never` (at start, which must not wait for uploads).
   */
  async saveAll(publish: Publication = 'due'): Promise<void> {
    const saved = this.saving.then(async () => this.saveChanged());
    this.saving = saved.catch(() => undefined);
    await saved;
    const snapshots = this.hooks.snapshots;
    if (!snapshots || publish === 'never') return;
    for (const [modelId, t] of this.entries()) {
      const last = this.published.get(modelId);
      const highWater = this.kind.highWater(t);
      if (last && (last.highWater >= highWater || (publish === 'due' && snapshots.now() - last.at < snapshots.publishEveryMs))) continue;
      // A snapshot saves the next instance time; failing to publish one must not fail a save or a shutdown.
      await this.publish(modelId, snapshots).catch((err: unknown) => this.log.warn({ err, modelId }, `${this.kind.label} snapshot not published`));
    }
  }

  /** Saves the model's structure now, checked on this thread; call under its lock. */
  saveNow(modelId: number): void {
    const save = this.write(modelId, '.tmp');
    if (save) this.finish(save, save.written.map(checkIndexFile));
  }

  /**
   * Saves each changed structure in steps: the write, begun under its lock (adds change the
   * graph in place, so nothing may add while hnswlib copies it out): an index with a replica on
   * a search thread is written there, after the adds posted before, and any other by a libuv
   * thread on its own graph while its adds wait (`HnswIndex.writeElsewhere`), so the event loop
   * only posts the write either way; the lock is held until the in-place writes are done. Then, with the lock released since an ingest transaction
   * takes it, the read-back check and the hash, the bulk of a save, through `hooks.check` (a
   * thread); then the renames, on the event loop again.
   */
  private async saveChanged(): Promise<void> {
    const check = this.hooks.check ?? (async (w: WrittenIndex) => checkIndexFile(w));
    for (const modelId of [...this.dirty]) {
      // The lock is held until the graphs written in place are out (their adds wait beside them
      // meanwhile, and nothing else may write them: `saveNow`); a replica's write goes on after.
      const begun = await this.lock(modelId, async () => {
        const b = this.begin(modelId, '.saving', true);
        await b?.inPlace;
        return b;
      });
      if (!begun) continue;
      let save: PendingSave | undefined;
      let checks;
      try {
        save = await begun.written;
        checks = await Promise.all(save.written.map(check));
      } catch (err) {
        this.finish(save ?? begun.failed, undefined);
        throw err;
      }
      this.finish(save, checks);
    }
  }

  /** Writes the model's structure to temp files (suffix `tmp`) on this thread and takes its state as of then. */
  private write(modelId: number, tmp: string): PendingSave | undefined {
    const begun = this.begin(modelId, tmp, false);
    return begun && { ...begun.failed, written: begun.now };
  }

  /**
   * Begins writing the model's structure to temp files (suffix `tmp`), elsewhere where its
   * indexes can (`writeElsewhere`) and here otherwise, and takes its state as of now. `now`
   * holds what was written here; `failed` is the save to finish when a write fails.
   */
  private begin(modelId: number, tmp: string, elsewhere: boolean): { written: Promise<PendingSave>; now: WrittenIndex[]; failed: PendingSave; inPlace: Promise<unknown> } | undefined {
    const t = this.loaded.get(modelId);
    if (!t) return undefined;
    const f = this.files(modelId);
    fs.mkdirSync(f.base, { recursive: true });
    const indexes = this.kind.indexesOf(t);
    const now: WrittenIndex[] = [];
    const writes: Promise<WrittenIndex>[] = [];
    /** Writes of this instance's own graphs on a libuv thread (not a replica's). */
    const inPlace: Promise<WrittenIndex>[] = [];
    const tmps = f.indexes.map((file) => ({ file, tmp: `${file}${tmp}`, metric: indexes[0]!.metric, dim: indexes[0]!.dim, count: 0 }));
    try {
      for (const [i, index] of indexes.entries()) {
        const { file, tmp: to } = tmps[i]!;
        const there = elsewhere ? index.writeElsewhere?.(file, to) : undefined;
        if (there) {
          writes.push(there);
          if (index instanceof HnswIndex) inPlace.push(there);
        } else {
          const w = index.write(file, to);
          now.push(w);
          writes.push(Promise.resolve(w));
        }
      }
    } catch (err) {
      removeTemps(now);
      // Those begun elsewhere go once they are done.
      void Promise.allSettled(writes).then(() => removeTemps(tmps.filter((w) => !now.some((n) => n.tmp === w.tmp))));
      throw err;
    }
    const [first] = indexes;
    const state: SavedHeader = { version: 1, metric: first!.metric, dim: first!.dim, highWater: this.kind.highWater(t), ...this.kind.stateOf(t) };
    this.dirty.delete(modelId);
    const failed: PendingSave = { modelId, t, written: tmps, state, generation: this.nextGeneration(modelId) };
    const written = Promise.allSettled(writes).then((all) => {
      const rejected = all.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (rejected) throw rejected.reason;
      return { ...failed, written: all.map((r) => (r as PromiseFulfilledResult<WrittenIndex>).value) };
    });
    return { written, now, failed, inPlace: Promise.allSettled(inPlace) };
  }

  /**
   * Moves checked files over the saved ones and then writes the state, unless a newer save or
   * an invalidation came since (theirs stands). Without checks, or when one fails, the temp
   * files go and the structure stays marked changed.
   */
  private finish(save: PendingSave, checks: IndexFileChecks | undefined): void {
    const { modelId, written } = save;
    const latest = this.generations.get(modelId) === save.generation && this.loaded.get(modelId) === save.t;
    try {
      if (latest && checks) this.commit(save, checks);
      else if (latest) this.dirty.add(modelId);
    } catch (err) {
      this.dirty.add(modelId);
      throw err;
    } finally {
      removeTemps(written);
    }
  }

  /** Moves the checked files over the saved ones, then writes the state. */
  private commit(save: PendingSave, checks: IndexFileChecks): void {
    save.written.forEach((w, i) => commitIndex(w, checks[i]!));
    const f = this.files(save.modelId);
    fs.writeFileSync(`${f.state}.tmp`, JSON.stringify(save.state));
    fs.renameSync(`${f.state}.tmp`, f.state);
  }

  private nextGeneration(modelId: number): number {
    const next = (this.generations.get(modelId) ?? 0) + 1;
    this.generations.set(modelId, next);
    return next;
  }

  /** Paths of the model's files. */
  files(modelId: number): { base: string; indexes: string[]; state: string } {
    const base = path.join(this.dir, `model-${modelId}`);
    return { base, indexes: this.kind.files.indexes.map((n) => path.join(base, n)), state: path.join(base, this.kind.files.state) };
  }

  /** The high-water mark of the published snapshot the model's structure continues from (`snapshots.follow`), if any. */
  base(modelId: number): number | undefined {
    return this.bases.get(modelId);
  }

  /** Forgets which snapshot the model's structure continues from (it was reloaded from elsewhere): the next `rebase` switches. */
  diverged(modelId: number): void {
    this.bases.delete(modelId);
  }

  /**
   * With `snapshots.follow`: when a snapshot newer than the one the model's structure
   * continues from was published (by any instance, this one included), the structure is
   * replaced by that snapshot caught up to the database. True when it was.
   */
  async rebase(source: Source, space: Space): Promise<boolean> {
    const store = this.hooks.snapshots?.follow ? this.hooks.snapshots.store : undefined;
    if (!store || !this.loaded.has(space.id)) return false;
    const newest = await store.highWater(space.id, this.kind.key);
    if (newest === undefined || newest <= (this.bases.get(space.id) ?? -1)) return false;
    return this.lock(space.id, async () => {
      const started = performance.now();
      const opened = await this.loadPublished(source, space);
      if (!opened) {
        // Not retried every poll; the files it fetched are the live structure's again.
        this.bases.set(space.id, newest);
        this.saveNow(space.id);
        return false;
      }
      const caughtUp = await this.ready(source, space, opened);
      this.log.info({ model: space.name, from: opened.from, base: this.bases.get(space.id), caughtUp, ms: Math.round(performance.now() - started) }, `${this.kind.label} continues from the published snapshot`);
      return true;
    });
  }

  private async open(source: Source, space: Space): Promise<T> {
    const started = performance.now();
    const opened = (await this.loadFile(source, space)) ?? { t: this.kind.create(space, this.kind.files.indexes.map(() => HnswIndex.create(space.metric, space.embeddingDim, this.kind.params))), from: 'rebuilt' as const };
    const { t, from } = opened;
    const fromSeq = this.kind.highWater(t);
    const caughtUp = await this.ready(source, space, opened);
    this.openings.set(space.id, { from, caughtUp });
    const loaded = from !== 'rebuilt';
    this.log.info({ model: space.name, loaded, from, fromSeq, base: this.bases.get(space.id), caughtUp, ...this.kind.describe(t, space), ms: Math.round(performance.now() - started) }, `${this.kind.label} ready`);
    return t;
  }

  /**
   * Catches `t` up, runs the `opened` hook (before the catch-up when `t` was loaded from a file),
   * makes it the model's structure and retires the one it replaces (or `t`, if its catch-up fails).
   */
  private async ready(source: Source, space: Space, { t, from }: { t: T; from: IndexOrigin }): Promise<number> {
    if (from !== 'rebuilt') await this.hooks.opened?.(space.id, t);
    const caughtUp = await this.follow(source, space, t).catch((err: unknown) => {
      if (from !== 'rebuilt') this.hooks.retired?.(space.id, t);
      throw err;
    });
    const previous = this.loaded.get(space.id);
    this.loaded.set(space.id, t);
    if (previous !== undefined && previous !== t) this.hooks.retired?.(space.id, previous);
    if (from === 'rebuilt') await this.hooks.opened?.(space.id, t);
    return caughtUp;
  }

  /**
   * The model's structure from a file: with `snapshots.follow`, the newest published snapshot
   * first; then its own saved files; then (without `follow`) a published snapshot.
   */
  private async loadFile(source: Source, space: Space): Promise<{ t: T; from: IndexOrigin } | undefined> {
    const follow = this.hooks.snapshots?.follow === true;
    const published = follow ? await this.loadPublished(source, space) : undefined;
    if (published) return published;
    const saved = await this.verified(source, space, 'saved');
    if (saved) return { t: saved, from: 'saved' };
    if (!follow && (await this.fetchSnapshot(space))) {
      const t = await this.verified(source, space, 'published');
      if (t) return { t, from: 'snapshot' };
    }
    return undefined;
  }

  /** The newest published snapshot, from the model's folder when it already holds exactly its files, else fetched. */
  private async loadPublished(source: Source, space: Space): Promise<{ t: T; from: IndexOrigin } | undefined> {
    const store = this.hooks.snapshots?.store;
    const latest = await store?.latest(space.id, this.kind.key).catch((err: unknown) => {
      this.log.warn({ err, model: space.name }, `published ${this.kind.label} not listed`);
      return undefined;
    });
    if (!latest) return undefined;
    const own = holdsPublished(this.files(space.id).base, latest);
    if (!own && !(await this.fetchSnapshot(space))) return undefined;
    const t = await this.verified(source, space, 'published');
    if (!t) return undefined;
    this.bases.set(space.id, this.kind.highWater(t));
    return { t, from: own ? 'saved' : 'snapshot' };
  }

  /** The structure in the model's folder, if it loads and agrees with the database. */
  private async verified(source: Source, space: Space, what: 'saved' | 'published'): Promise<T | undefined> {
    const t = this.loadSaved(space);
    if (!t || (await this.kind.agrees(source, space, t))) return t;
    this.log.warn({ model: space.name }, `${what} ${this.kind.label} disagrees with the database; rebuilding`);
    return undefined;
  }

  private async fetchSnapshot(space: Space): Promise<boolean> {
    const store = this.hooks.snapshots?.store;
    if (!store) return false;
    try {
      return await store.fetch(space.id, this.kind.key, this.files(space.id).base);
    } catch (err) {
      this.log.warn({ err, model: space.name }, `published ${this.kind.label} not loaded; rebuilding from the database`);
      return false;
    }
  }

  /**
   * Publishes the model's saved files. Hard links taken under the lock keep the files as saved
   * while they upload (a later save renames new files over the names, not into these inodes).
   */
  private async publish(modelId: number, snapshots: SnapshotOptions): Promise<void> {
    const t = this.loaded.get(modelId);
    if (!t) return;
    const highWater = this.kind.highWater(t);
    if (highWater === 0) return;
    const theirs = await snapshots.store.highWater(modelId, this.kind.key);
    if (theirs !== undefined && theirs >= highWater) {
      this.published.set(modelId, { at: snapshots.now(), highWater: theirs });
      return;
    }
    const f = this.files(modelId);
    const staging = fs.mkdtempSync(path.join(f.base, 'publish-'));
    try {
      const files = await this.lock(modelId, async () => {
        if (this.dirty.has(modelId) || !fs.existsSync(f.state)) this.saveNow(modelId);
        const names = [...this.kind.files.indexes.flatMap((n) => [n, `${n}.sha256`]), this.kind.files.state];
        return names.map((name) => {
          fs.linkSync(path.join(f.base, name), path.join(staging, name));
          return { name, path: path.join(staging, name) };
        });
      });
      const savedHighWater = (JSON.parse(fs.readFileSync(path.join(staging, this.kind.files.state), 'utf8')) as SavedHeader).highWater;
      await snapshots.store.publish(modelId, this.kind.key, savedHighWater, files);
      this.published.set(modelId, { at: snapshots.now(), highWater: savedHighWater });
      this.log.info({ modelId, highWater: savedHighWater }, `${this.kind.label} snapshot published`);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }

  private async follow(source: Source, space: Space, t: T): Promise<number> {
    let caughtUp = 0;
    for (let rows = await this.kind.page(source, space, this.kind.highWater(t), this.kind.pageSize); rows.length > 0; ) {
      await this.kind.apply(t, rows);
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

/** A save written to temp files, its check still to come. */
interface PendingSave {
  modelId: number;
  t: unknown;
  written: WrittenIndex[];
  state: SavedHeader;
  generation: number;
}

type IndexFileChecks = Awaited<ReturnType<IndexChecker>>[];

function removeTemps(written: readonly WrittenIndex[]): void {
  for (const w of written) fs.rmSync(w.tmp, { force: true, recursive: true });
}
