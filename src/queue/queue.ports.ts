import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { PredictionTable } from '../db/schema.js';

/** A stored prediction's columns, as the queue may read them. */
type PredictionColumns = Selectable<PredictionTable>;

/** What a labeler sees of a training example shown as a neighbour, as stored. */
export interface ExampleSummaryRow {
  seq: number;
  id: string;
  concepts_json: string;
  input_json: string | null;
}

/**
 * What the queue reads of other features' tables (implemented by predictions/ and examples/).
 * Each read takes the executor, so one made inside a queue transaction runs in it.
 */
export interface QueueReads {
  predictions: {
    /** The given columns of a model's predictions, by seq. */
    predictionsBySeq<C extends keyof PredictionColumns>(db: Db, modelId: number, seqs: readonly number[], columns: readonly C[]): Promise<Map<number, Pick<PredictionColumns, C | 'seq'>>>;
    /** Embeddings of a model's predictions, by seq (the near-duplicate index's catch-up). */
    predictionEmbeddingsBySeq(db: Db, modelId: number, seqs: number[]): Promise<Map<number, Buffer>>;
    /** Highest prediction seq of the model, or 0. */
    latestSeq(db: Db, modelId: number): Promise<number>;
    /** Seqs of the model's out-of-distribution predictions after `afterSeq`, oldest first. */
    oodSeqsAfter(db: Db, modelId: number, afterSeq: number): Promise<number[]>;
  };
  examples: {
    /** Examples by seq: what a labeler sees of a neighbour. */
    listExampleSummaries(db: Db, modelId: number, seqs: number[]): Promise<ExampleSummaryRow[]>;
  };
  regions: {
    /** The highest region id ever issued for the model, or 0: a claim naming one above it names no region. */
    lastIssuedRegion(db: Db, modelId: number): Promise<number>;
  };
}
