import type { Model } from '../models/model.js';
import { decodeVector } from '../util/vectors.js';
import type { HealthReads } from './health.ports.js';

const PAGE = 2000;

/**
 * The model's examples up to one seq, in memory for the checklist: row-major vectors in the
 * metric space (unit length under cosine), concepts as indexes, train rows first.
 */
export interface ExampleSnapshot {
  dim: number;
  size: number;
  trainRows: number[];
  evalRows: number[];
  ids: string[];
  concepts: number[][];
  /** The taxonomy's concepts, then any concept examples carry that the taxonomy lost. */
  conceptNames: string[];
  vectors: Float32Array;
  /** Snapshot row of an example seq (the label in the HNSW indexes). */
  rowOf: Map<number, number>;
}

/** Reads every example with seq ≤ `maxSeq`, a page at a time. */
export async function loadExampleSnapshot(examples: HealthReads['examples'], model: Model, maxSeq: number, expected: number): Promise<ExampleSnapshot> {
  const dim = model.embeddingDim;
  const conceptNames = model.concepts.map((c) => c.id);
  const conceptIndex = new Map(conceptNames.map((c, i) => [c, i]));
  const snap: ExampleSnapshot = { dim, size: 0, trainRows: [], evalRows: [], ids: [], concepts: [], conceptNames, vectors: new Float32Array(Math.max(1, expected) * dim), rowOf: new Map() };
  for (const split of ['train', 'eval'] as const) {
    const rows = split === 'train' ? snap.trainRows : snap.evalRows;
    for (let after = 0; ; ) {
      const page = await examples.listExamplesPage(model.id, split, after, maxSeq, PAGE);
      if (page.length === 0) break;
      for (const r of page) {
        const row = snap.size++;
        if (snap.vectors.length < snap.size * dim) snap.vectors = grow(snap.vectors, snap.size * dim * 2);
        writeMetricVector(snap.vectors, row * dim, decodeVector(r.embedding), model.metric === 'cosine');
        snap.ids.push(r.id);
        snap.concepts.push((JSON.parse(r.concepts_json) as string[]).map((c) => indexOf(c, conceptIndex, conceptNames)));
        snap.rowOf.set(r.seq, row);
        rows.push(row);
      }
      after = page.at(-1)!.seq;
    }
  }
  return snap;
}

/** The vector of `row` (a view, not a copy). */
export function rowVector(snap: ExampleSnapshot, row: number): Float32Array {
  return snap.vectors.subarray(row * snap.dim, (row + 1) * snap.dim);
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

function grow(a: Float32Array, length: number): Float32Array {
  const b = new Float32Array(length);
  b.set(a);
  return b;
}
