import type { Split } from '../db/schema.js';
import type { Model } from '../models/model.js';
import { decodeVector } from '../util/vectors.js';
import type { HealthReads } from './health.ports.js';
import { TurnClock } from '../util/turn-clock.js';

const PAGE = 2000;

type ExampleRow = Awaited<ReturnType<HealthReads['examples']['listExamplesPage']>>[number];

/**
 * The model's examples up to one seq, in memory for the checklist: row-major vectors in the
 * metric space (unit length under cosine), concepts as indexes, rows in seq order whatever
 * their split, so that reading more later appends rows exactly where a fresh read puts them.
 */
export interface ExampleSnapshot {
  dim: number;
  cosine: boolean;
  size: number;
  /** Highest seq read. */
  maxSeq: number;
  trainRows: number[];
  evalRows: number[];
  isEval: Uint8Array;
  ids: string[];
  concepts: number[][];
  /** The taxonomy's concepts, then any concept examples carry that the taxonomy lost. */
  conceptNames: string[];
  vectors: Float32Array;
  /** Snapshot row of an example seq (the label in the HNSW indexes). */
  rowOf: Map<number, number>;
}

export function emptySnapshot(model: Model): ExampleSnapshot {
  const dim = model.embeddingDim;
  return {
    dim, cosine: model.metric === 'cosine', size: 0, maxSeq: 0, trainRows: [], evalRows: [], isEval: new Uint8Array(0),
    ids: [], concepts: [], conceptNames: model.concepts.map((c) => c.id), vectors: new Float32Array(0), rowOf: new Map(),
  };
}

/** Appends every example with seq in (snap.maxSeq, maxSeq], in seq order, a page at a time; returns the new rows. */
export async function readExamples(examples: HealthReads['examples'], model: Model, snap: ExampleSnapshot, maxSeq: number, expected: number): Promise<number[]> {
  const conceptIndex = new Map(snap.conceptNames.map((c, i) => [c, i]));
  reserve(snap, snap.size + expected);
  const added: number[] = [];
  const train = pages(examples, model.id, 'train', snap.maxSeq, maxSeq);
  const evals = pages(examples, model.id, 'eval', snap.maxSeq, maxSeq);
  // Pages from SQLite resolve without an event-loop turn: the clock makes the turns.
  const clock = new TurnClock();
  let [t, e] = await Promise.all([train.next(), evals.next()]);
  while (!t.done || !e.done) {
    await clock.tick();
    const takeTrain = e.done || (!t.done && t.value.seq < e.value.seq);
    const r = (takeTrain ? t.value : e.value) as ExampleRow;
    added.push(append(snap, r, takeTrain ? 'train' : 'eval', conceptIndex));
    if (takeTrain) t = await train.next();
    else e = await evals.next();
  }
  snap.maxSeq = Math.max(snap.maxSeq, maxSeq);
  return added;
}

async function* pages(examples: HealthReads['examples'], modelId: number, split: Split, afterSeq: number, maxSeq: number): AsyncGenerator<ExampleRow> {
  for (let after = afterSeq; ; ) {
    const page = await examples.listExamplesPage(modelId, split, after, maxSeq, PAGE);
    if (page.length === 0) return;
    yield* page;
    after = page.at(-1)!.seq;
  }
}

function append(snap: ExampleSnapshot, r: ExampleRow, split: Split, conceptIndex: Map<string, number>): number {
  const row = snap.size++;
  reserve(snap, snap.size);
  writeMetricVector(snap.vectors, row * snap.dim, decodeVector(r.embedding), snap.cosine);
  snap.ids.push(r.id);
  snap.concepts.push((JSON.parse(r.concepts_json) as string[]).map((c) => indexOf(c, conceptIndex, snap.conceptNames)));
  snap.rowOf.set(r.seq, row);
  snap.isEval[row] = split === 'eval' ? 1 : 0;
  (split === 'eval' ? snap.evalRows : snap.trainRows).push(row);
  return row;
}

/** The vector of `row` (a view, not a copy). */
export function rowVector(snap: ExampleSnapshot, row: number): Float32Array {
  return snap.vectors.subarray(row * snap.dim, (row + 1) * snap.dim);
}

/**
 * Distance between two rows in the model's metric (1 − cos of the unit vectors, or Euclidean).
 * The sum runs in two float64 lanes, one over the even and one over the odd coordinates, then
 * lane 0 + lane 1, then the last coordinate when dim is odd: every term is symmetric, so a pair
 * measures the same from both sides, and `RowBlock` (row-distances.wat) gives the same float64.
 */
export function rowDistance(snap: ExampleSnapshot, a: number, b: number): number {
  const v = snap.vectors;
  const dim = snap.dim;
  const x = a * dim;
  const y = b * dim;
  let even = 0;
  let odd = 0;
  let i = 0;
  if (snap.cosine) {
    for (; i + 1 < dim; i += 2) {
      even += v[x + i]! * v[y + i]!;
      odd += v[x + i + 1]! * v[y + i + 1]!;
    }
    const dot = i < dim ? even + odd + v[x + i]! * v[y + i]! : even + odd;
    return Math.max(0, 1 - dot);
  }
  for (; i + 1 < dim; i += 2) {
    const d0 = v[x + i]! - v[y + i]!;
    const d1 = v[x + i + 1]! - v[y + i + 1]!;
    even += d0 * d0;
    odd += d1 * d1;
  }
  const last = i < dim ? v[x + i]! - v[y + i]! : 0;
  return Math.sqrt(i < dim ? even + odd + last * last : even + odd);
}

/**
 * Room for `rows` and an eighth more, or twice the old room: the first examples to arrive after a
 * cold read (sized to the set) fit without copying the whole snapshot (100k × 64: 84 ms).
 */
export function grownCapacity(old: number, rows: number): number {
  return Math.max(rows + (rows >> 3), old * 2, 1024);
}

function writeMetricVector(out: Float32Array, offset: number, v: Float32Array, unit: boolean): void {
  let scale = 1;
  if (unit) {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
    if (s > 0) scale = 1 / Math.sqrt(s);
  }
  for (let i = 0; i < v.length; i++) out[offset + i] = v[i]! * scale;
}

function indexOf(concept: string, index: Map<string, number>, names: string[]): number {
  let i = index.get(concept);
  if (i === undefined) {
    i = names.length;
    names.push(concept);
    index.set(concept, i);
  }
  return i;
}

function reserve(snap: ExampleSnapshot, rows: number): void {
  if (snap.isEval.length >= rows) return;
  const capacity = grownCapacity(snap.isEval.length, rows);
  const vectors = new Float32Array(capacity * snap.dim);
  vectors.set(snap.vectors);
  const isEval = new Uint8Array(capacity);
  isEval.set(snap.isEval);
  snap.vectors = vectors;
  snap.isEval = isEval;
}
