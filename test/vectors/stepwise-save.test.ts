import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DerivedIndexes } from '../../src/vectors/derived-index.js';
import type { DerivedIndexKind, IndexSpace, SavedHeader } from '../../src/vectors/derived-index.types.js';
import { HnswIndex } from '../../src/vectors/hnsw-index.js';
import { IndexCheckThread } from '../../src/vectors/index-check-thread.js';
import { checkIndexFile, IndexWriteError, type IndexChecker, type WrittenIndex } from '../../src/vectors/index-file.js';
import { ReplicatedIndex } from '../../src/vectors/replicated-index.js';
import { SearchWorker } from '../../src/vectors/search-worker.js';
import { tempDataDir } from '../support/server.js';

// Saves write under the lock and check (read back, hash) with it released, so points can be
// added while a check runs: these tests hold the check at that point with a gate.

type Row = { id: number; vector: number[] };
type Source = Row[];
class Points {
  constructor(
    readonly index: HnswIndex,
    public highWater: number,
  ) {}
}

const DIM = 4;
const space: IndexSpace = { id: 1, name: 'm', metric: 'l2', embeddingDim: DIM };
const row = (id: number): Row => ({ id, vector: Array.from({ length: DIM }, (_, j) => Math.sin(id * 7 + j)) });
const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i));

const kind: DerivedIndexKind<Points, Row, Source> = {
  label: 'test index',
  key: 'test',
  files: { indexes: ['points.hnsw'], state: 'points.json' },
  params: { m: 8, efConstruction: 32, efSearch: 32 },
  pageSize: 100,
  create: (_space, [index]) => new Points(index!, 0),
  restore: (_space, [index], state) => (index!.size === state['count'] ? new Points(index!, state.highWater) : undefined),
  indexesOf: (p) => [p.index],
  stateOf: (p) => ({ count: p.index.size }),
  highWater: (p) => p.highWater,
  agrees: async (source, _space, p) => source.filter((r) => r.id <= p.highWater).length === p.index.size,
  page: async (source, _space, after, limit) => source.filter((r) => r.id > after).slice(0, limit),
  apply: (p, page) => {
    for (const r of page) {
      p.index.add(r.id, r.vector);
      p.highWater = r.id;
    }
  },
  describe: (p) => ({ points: p.index.size }),
};

const log = pino({ level: 'silent' });

/** A check that waits until `open()` is called, and tells when it started. */
function gatedCheck(inner: IndexChecker = async (w) => checkIndexFile(w)) {
  let open!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const running = new Promise<void>((resolve) => (started = resolve));
  const check: IndexChecker = async (w) => {
    started();
    await gate;
    return inner(w);
  };
  return { check, open, running };
}

function setup(check?: IndexChecker) {
  const dir = tempDataDir();
  const indexes = new DerivedIndexes(kind, dir, log, { check });
  const files = indexes.files(space.id);
  const saved = () => {
    if (!fs.existsSync(files.state)) return undefined;
    const state = JSON.parse(fs.readFileSync(files.state, 'utf8')) as SavedHeader;
    return { highWater: state.highWater, count: state['count'], loaded: HnswIndex.load(files.indexes[0]!, 'l2', DIM)?.size };
  };
  const leftovers = () => fs.readdirSync(files.base).filter((n) => n.endsWith('.saving') || n.endsWith('.tmp'));
  return { indexes, files, saved, leftovers };
}

describe('saving a derived index in steps', () => {
  it('when points are added while the check runs, then the files hold the index as written and the next save holds the added points', async () => {
    const gated = gatedCheck();
    const { indexes, saved, leftovers } = setup(gated.check);
    const source = rows(1, 10);
    const p = await indexes.get(source, space);
    const saving = indexes.saveAll();
    await gated.running;
    source.push(...rows(11, 15));
    await indexes.current(source, space);
    expect(p.index.size).toBe(15);
    gated.open();
    await saving;
    expect(saved()).toEqual({ highWater: 10, count: 10, loaded: 10 });
    expect(leftovers()).toEqual([]);
    await indexes.saveAll();
    expect(saved()).toEqual({ highWater: 15, count: 15, loaded: 15 });
  });

  it('when an index without a replica is saved, then hnswlib writes it on a libuv thread, never on the event loop, and the next save holds what was added since', async () => {
    const gated = gatedCheck();
    const { indexes, saved } = setup(gated.check);
    const source = rows(1, 10);
    const p = await indexes.get(source, space);
    const here = vi.spyOn(p.index, 'write');
    const elsewhere = vi.spyOn(p.index, 'writeElsewhere');
    const saving = indexes.saveAll();
    await gated.running;
    source.push(...rows(11, 14));
    await indexes.current(source, space);
    gated.open();
    await saving;
    await indexes.saveAll();
    expect(elsewhere).toHaveBeenCalledTimes(2);
    expect(here).not.toHaveBeenCalled();
    expect(saved()).toEqual({ highWater: 14, count: 14, loaded: 14 });
  });

  it('when a newer save is made while the check runs, then the older save does not overwrite it', async () => {
    const gated = gatedCheck();
    const { indexes, saved } = setup(gated.check);
    const source = rows(1, 10);
    await indexes.get(source, space);
    const saving = indexes.saveAll();
    await gated.running;
    source.push(...rows(11, 12));
    await indexes.current(source, space);
    await indexes.lock(space.id, async () => indexes.saveNow(space.id));
    expect(saved()).toEqual({ highWater: 12, count: 12, loaded: 12 });
    gated.open();
    await saving;
    expect(saved()).toEqual({ highWater: 12, count: 12, loaded: 12 });
  });

  it('when the index is invalidated while the check runs, then the save writes nothing back', async () => {
    const gated = gatedCheck();
    const { indexes, saved } = setup(gated.check);
    const source = rows(1, 10);
    await indexes.get(source, space);
    await indexes.lock(space.id, async () => indexes.saveNow(space.id));
    expect(saved()).toEqual({ highWater: 10, count: 10, loaded: 10 });
    indexes.touched(space.id);
    const saving = indexes.saveAll();
    await gated.running;
    indexes.invalidate(space.id);
    gated.open();
    await saving;
    expect(saved()).toBeUndefined();
    expect((await indexes.get(source, space)).index.size).toBe(10);
    expect(indexes.opening(space.id)?.from).toBe('rebuilt');
  });

  it('when the written file is short, then the save throws, the previous files stay, and the next save writes the index', async () => {
    let truncate = false;
    const { indexes, saved, leftovers } = setup(async (w: WrittenIndex) => {
      if (truncate) fs.truncateSync(w.tmp, Math.floor(fs.statSync(w.tmp).size / 2));
      return checkIndexFile(w);
    });
    const source = rows(1, 10);
    await indexes.get(source, space);
    await indexes.saveAll();
    source.push(...rows(11, 20));
    await indexes.current(source, space);
    truncate = true;
    await expect(indexes.saveAll()).rejects.toThrow(IndexWriteError);
    expect(saved()).toEqual({ highWater: 10, count: 10, loaded: 10 });
    expect(leftovers()).toEqual([]);
    truncate = false;
    await indexes.saveAll();
    expect(saved()).toEqual({ highWater: 20, count: 20, loaded: 20 });
  });
});

describe('saving an index with a replica on a search thread', () => {
  class Replicated {
    constructor(
      readonly local: HnswIndex,
      readonly index: ReplicatedIndex,
      public highWater: number,
    ) {}
  }
  const replicatedKind: DerivedIndexKind<Replicated, Row, Source> = {
    ...(kind as unknown as DerivedIndexKind<Replicated, Row, Source>),
    create: (_space, [index]) => new Replicated(index!, new ReplicatedIndex(index!, 1), 0),
    restore: () => undefined,
    indexesOf: (p) => [p.index],
    stateOf: (p) => ({ count: p.index.size }),
    agrees: async (source, _space, p) => source.filter((r) => r.id <= p.highWater).length === p.index.size,
    apply: (p, page) => {
      for (const r of page) {
        p.index.add(r.id, r.vector);
        p.highWater = r.id;
      }
    },
  };
  const worker = new SearchWorker(log);
  afterAll(() => worker.close());

  it('when it is saved, then the search thread writes the file, not the event loop, and the files hold the index as it was when the save began', async () => {
    worker.start();
    const gated = gatedCheck();
    const { files, saved, leftovers } = setup(gated.check);
    // The same folder as `setup`'s, so its readers of the saved files apply.
    const tree = new DerivedIndexes(replicatedKind, path.dirname(files.base), log, { check: gated.check });
    const source = rows(1, 300);
    const p = await tree.get(source, space);
    await tree.lock(space.id, async () => tree.saveNow(space.id));
    await p.index.replicate(worker, files.indexes[0]!);
    source.push(...rows(301, 500));
    await tree.current(source, space);
    const here = vi.spyOn(p.local, 'write');
    const saving = tree.saveAll();
    await gated.running;
    // Added while the written file is checked: in the next save.
    source.push(...rows(501, 520));
    await tree.current(source, space);
    gated.open();
    await saving;
    expect(here).not.toHaveBeenCalled();
    expect(saved()).toEqual({ highWater: 500, count: 500, loaded: 500 });
    expect(leftovers()).toEqual([]);
    const reloaded = HnswIndex.load(files.indexes[0]!, 'l2', DIM)!;
    const probe = row(77).vector;
    expect(reloaded.search(probe, 5).labels).toEqual(p.local.search(probe, 5).labels);
    expect(reloaded.has(500) && !reloaded.has(501)).toBe(true);
    here.mockRestore();
  });
});

describe('the index-check thread', () => {
  const thread = new IndexCheckThread(log);
  afterAll(() => thread.close());

  it('when it checks a written file, then it answers as the check on this thread, and names a short file as unreadable', async () => {
    const index = HnswIndex.create('cosine', DIM);
    rows(1, 300).forEach((r) => index.add(r.id, r.vector));
    const file = path.join(tempDataDir(), 'points.hnsw');
    const written = index.write(file);
    const here = checkIndexFile(written);
    expect(here).toMatchObject({ count: 300, bytes: fs.statSync(written.tmp).size });
    expect(await thread.check(written)).toEqual(here);
    fs.truncateSync(written.tmp, 100);
    expect(await thread.check(written)).toHaveProperty('error');
  });
});
