import type { Task } from '../models/model.js';
import { splitForId, type Split } from '../util/hash-split.js';
import { isFloat32Safe } from '../util/vectors.js';
import type { LabeledProductionItem } from './labeled-production.js';

/** One labeled embedding, original or production, before it is laid out for training. */
export interface SourceRecord {
  id: string;
  embedding: ArrayLike<number>;
  concepts: string[];
  split: Split;
}

/** Row-major labeled embeddings: x is n×dim, y is n×concepts (one-hot or multi-hot). */
export interface LabeledRows {
  ids: string[];
  n: number;
  dim: number;
  x: Float32Array;
  y: Float32Array;
  /** 1 for a labeled production item, 0 for an original example. */
  production: Uint8Array;
  /** Per row, how many inputs it stands for (near-duplicates of a production item); absent means 1 each. */
  recurrence?: Float32Array;
}

/** Everything one training run reads, split the way it is used. */
export interface TrainingData {
  /** Output order of the head: the taxonomy, then the concepts joining with this version. */
  concepts: string[];
  addedConcepts: string[];
  /** Train split minus the validation slice. */
  fit: LabeledRows;
  /** Slice of the train split held out for early stopping and threshold tuning. */
  validation: LabeledRows;
  /** Eval split of the original examples. */
  cleanEval: LabeledRows;
  /** Eval split of the labeled production items. */
  productionEval: LabeledRows;
  /** Production items used, by split, and the labels behind them. */
  production: { train: string[]; eval: string[]; labelIds: string[]; skipped: number };
}

export interface TrainingDataInput {
  task: Task;
  dim: number;
  taxonomy: string[];
  addedConcepts: string[];
  originals: SourceRecord[];
  production: LabeledProductionItem[];
  validationShare: number;
  /**
   * The model's secret split key (`Model.splitKey`): which labeled production items fall in the
   * validation slice is decided under it, since an app chooses their ids (prediction ids) and the
   * slice tunes the thresholds a version is evaluated and promoted at. Originals (an admin's ids)
   * keep the plain hash.
   */
  splitKey?: string | null;
}

/** Lays out originals and labeled production items as fit, validation, clean-eval and production-eval rows. */
export function assembleTrainingData(input: TrainingDataInput): TrainingData {
  const concepts = [...input.taxonomy, ...input.addedConcepts.filter((c) => !input.taxonomy.includes(c))];
  const known = new Set(concepts);
  const added = new Set(input.addedConcepts);
  const buckets = { fit: [] as Tagged[], validation: [] as Tagged[], cleanEval: [] as Tagged[], productionEval: [] as Tagged[] };
  const inTrain = (id: string, key: string | null = null) => (splitForId(`validation:${id}`, input.validationShare, key) === 'eval' ? buckets.validation : buckets.fit);

  for (const r of input.originals) {
    // Rows stored before the float32 check (1e200 is stored as Infinity) would poison every run: leave them out.
    if (r.embedding.length !== input.dim || !isFloat32Safe(r.embedding)) continue;
    (r.split === 'eval' ? buckets.cleanEval : inTrain(r.id)).push({ record: r, production: false });
  }
  const production = { train: [] as string[], eval: [] as string[], labelIds: [] as string[], skipped: 0 };
  for (const item of input.production) {
    const resolved = resolveItemConcepts(input.task, item, known);
    if (!resolved || item.embedding.length !== input.dim || !isFloat32Safe(item.embedding)) {
      production.skipped += 1;
      continue;
    }
    const record: SourceRecord = { id: item.id, embedding: item.embedding, concepts: resolved, split: item.split };
    (item.split === 'eval' ? buckets.productionEval : inTrain(item.id, input.splitKey ?? null)).push({ record, production: true, recurrence: item.weight ?? 1 });
    production[item.split === 'eval' ? 'eval' : 'train'].push(item.id);
    production.labelIds.push(...item.labelIds);
  }
  const layout = (tagged: Tagged[]) => toRows(tagged, concepts, input.dim);
  return {
    concepts,
    addedConcepts: concepts.filter((c) => added.has(c)),
    fit: layout(buckets.fit),
    validation: layout(buckets.validation),
    cleanEval: layout(buckets.cleanEval),
    productionEval: layout(buckets.productionEval),
    production,
  };
}

/**
 * The concepts a labeled item trains on: its taxonomy concepts plus the proposed ones that are in
 * the model's concepts now, whether they join with this version or joined with an earlier one (the
 * labels that made a concept join keep naming it under `newConcepts`). Undefined when the item
 * cannot be used: a multiclass item needs exactly one concept, and an item labeled only with
 * concepts that have not joined yet says nothing.
 */
export function resolveItemConcepts(task: Task, item: LabeledProductionItem, known: Set<string>): string[] | undefined {
  const concepts = [...new Set([...item.concepts, ...item.newConcepts].filter((c) => known.has(c)))];
  if (task === 'multiclass') return concepts.length === 1 ? concepts : undefined;
  const labeledSomething = item.concepts.length + item.newConcepts.length > 0;
  return concepts.length === 0 && labeledSomething ? undefined : concepts;
}

interface Tagged {
  record: SourceRecord;
  production: boolean;
  recurrence?: number;
}

function toRows(tagged: Tagged[], concepts: string[], dim: number): LabeledRows {
  const index = new Map(concepts.map((c, i) => [c, i]));
  const n = tagged.length;
  const rows: LabeledRows = {
    ids: new Array<string>(n),
    n,
    dim,
    x: new Float32Array(n * dim),
    y: new Float32Array(n * concepts.length),
    production: new Uint8Array(n),
    recurrence: new Float32Array(n).fill(1),
  };
  tagged.forEach(({ record, production, recurrence }, i) => {
    rows.ids[i] = record.id;
    rows.x.set(record.embedding, i * dim);
    for (const c of record.concepts) {
      const k = index.get(c);
      if (k !== undefined) rows.y[i * concepts.length + k] = 1;
    }
    rows.production[i] = production ? 1 : 0;
    rows.recurrence![i] = recurrence ?? 1;
  });
  return rows;
}
