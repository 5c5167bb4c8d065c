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
 * Distance between two rows in the model's metric (1 − cos of the unit vectors, or Euclidean),
 * summed in one order whichever row comes first, so a pair measures the same from both sides.
 */
export function rowDistance(snap: ExampleSnapshot, a: number, b: number): number {
  const v = snap.vectors;
  const dim = snap.dim;
  const x = Math.min(a, b) * dim;
  const y = Math.max(a, b) * dim;
  let s = 0;
  if (snap.cosine) {
    for (let i = 0; i < dim; i++) s += v[x + i]! * v[y + i]!;
    return Math.max(0, 1 - s);
  }
  for (let i = 0; i < dim; i++) {
    const d = v[x + i]! - v[y + i]!;
    s += d * d;
  }
  return Math.sqrt(s);
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
  const capacity = Math.max(rows, snap.isEval.length * 2, 1024);
  const vectors = new Float32Array(capacity * snap.dim);
  vectors.set(snap.vectors);
  const isEval = new Uint8Array(capacity);
  isEval.set(snap.isEval);
  snap.vectors = vectors;
  snap.isEval = isEval;
}
