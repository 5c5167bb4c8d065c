import type { Db } from '../db/database.js';
import type { ExampleSource } from '../db/schema.js';
import { BatchValidationError, NotFoundError, type RecordProblem } from '../errors.js';
import type { Model } from '../models/model.js';
import { duplicateIdProblems, embeddingProblems, inputUrlProblems, repeatedConceptProblems, scoreProblems, topScore, unknownConceptProblems } from '../models/record-checks.js';
import { InputOrigins } from '../http/input-origins.js';
import type { ReferenceRegistry } from '../reference/reference.registry.js';
import { isoNow, type Clock } from '../util/clock.js';
import { splitForId } from '../util/hash-split.js';
import { encodeVector } from '../util/vectors.js';
import { findAppTopScores, findExistingExampleIds, insertExamples, lockExamples, type NewExampleRow } from './examples.repository.js';

/** One labeled training input. */
export interface ExampleInput {
  id: string;
  embedding: number[];
  concepts: string[];
  split?: 'train' | 'eval' | undefined;
  /** The app's scores on this input: calibrate the accuracy estimate (eval split) and are the confidence_shift reference. */
  scores?: Record<string, number> | undefined;
  input?: { url?: string | undefined; text?: string | undefined } | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** The model as stored now, read on `db` (the caller's transaction); the models feature answers it. */
export type CurrentModel = (db: Db, modelId: number) => Promise<Model | undefined>;

export interface ExamplesResult {
  inserted: number;
  duplicates: number;
  train: number;
  eval: number;
}

/** Stores labeled examples and feeds them to the model's reference distribution. */
export class ExamplesService {
  constructor(
    private readonly db: Db,
    private readonly references: ReferenceRegistry,
    private readonly clock: Clock,
    private readonly currentModel: CurrentModel,
    /** Where pages may load inputs from: an example whose input is elsewhere is refused. */
    private readonly inputOrigins: InputOrigins = new InputOrigins(),
  ) {}

  async add(model: Model, examples: ExampleInput[], source: 'original' | 'production' = 'original'): Promise<ExamplesResult> {
    this.validate(model, examples);
    const now = isoNow(this.clock);
    const stored = await this.db.transaction().execute(async (trx) => {
      // Examples of a model commit in seq order, so an instance that has seen seq N has seen every seq below it.
      await lockExamples(trx, model.id);
      // A PUT may have changed the model since the request read it; it checks for data under this lock, so check against what it stored.
      const current = await this.currentModel(trx, model.id);
      if (!current) throw new NotFoundError(`Model '${model.name}' does not exist`);
      if (!sameRecordRules(model, current)) this.validate(current, examples);
      const existing = await findExistingExampleIds(trx, model.id, examples.map((e) => e.id));
      const rows = examples.filter((e) => !existing.has(e.id)).map((e) => toRow(model, e, source, now));
      await insertExamples(trx, rows);
      return rows;
    });
    // The set takes them from the database, as every other instance does: one order, one calibration.
    await this.references.catchUp(model);
    const evalCount = stored.filter((r) => r.split === 'eval').length;
    return { inserted: stored.length, duplicates: examples.length - stored.length, train: stored.length - evalCount, eval: evalCount };
  }

  /** The app's own top-1 scores on the first `limit` examples sent with scores (confidence_shift's reference). */
  appTopScores(model: Model, limit: number): Promise<number[]> {
    return findAppTopScores(this.db, model.id, limit);
  }

  private validate(model: Model, examples: ExampleInput[]): void {
    const problems: RecordProblem[] = duplicateIdProblems(examples);
    examples.forEach((e, index) => {
      problems.push(...embeddingProblems(model, e.embedding, index), ...unknownConceptProblems(model, e.concepts, index, 'concepts'), ...repeatedConceptProblems(e.concepts, index, 'concepts'), ...inputUrlProblems(this.inputOrigins, e.input, index));
      if (e.scores) problems.push(...scoreProblems(model, e.scores, index));
      if (model.task === 'multiclass' && e.concepts.length !== 1) {
        problems.push({ index, field: 'concepts', message: 'a multiclass example has exactly one concept' });
      }
    });
    if (problems.length > 0) throw new BatchValidationError(problems.sort((a, b) => a.index - b.index), 'examples');
  }
}

/** Whether records valid for `a` are valid for `b`: the same dimension, task and concepts. */
function sameRecordRules(a: Model, b: Model): boolean {
  const ids = (m: Model) => m.concepts.map((c) => c.id).join('\n');
  return a.embeddingDim === b.embeddingDim && a.task === b.task && ids(a) === ids(b);
}

function toRow(model: Model, e: ExampleInput, source: ExampleSource, now: string): NewExampleRow {
  return {
    model_id: model.id,
    id: e.id,
    split: e.split ?? splitForId(e.id),
    source,
    concepts_json: JSON.stringify(e.concepts),
    embedding: encodeVector(e.embedding),
    input_json: e.input ? JSON.stringify(e.input) : null,
    metadata_json: e.metadata ? JSON.stringify(e.metadata) : null,
    scores_json: e.scores ? JSON.stringify(e.scores) : null,
    top_score: e.scores ? topScore(e.scores) : null,
    created_at: now,
  };
}
