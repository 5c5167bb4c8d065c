/**
 * The smallest surface the domain needs from a neural-network engine: train a
 * classification head on embeddings, score embeddings, save and load artifacts.
 * TensorFlow.js sits behind it (tf-trainer.ts); nothing else imports tfjs.
 */

/** `softmax`: one concept per input; `sigmoid`: independent concepts. */
type HeadKind = 'softmax' | 'sigmoid';

/** Shape of the classification head. */
export interface HeadSpec {
  kind: HeadKind;
  inputDim: number;
  outputs: number;
  /** Units of a ReLU hidden layer; 0 for a linear head. */
  hiddenUnits: number;
}

/** Row-major training rows: n embeddings, their n×outputs targets (one-hot or multi-hot) and a weight per row. */
export interface TrainRows {
  n: number;
  x: Float32Array;
  y: Float32Array;
  weights: Float32Array;
}

/** Progress after one epoch. */
export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  /** Validation loss, or null without a validation slice. */
  valLoss: number | null;
}

export interface FitOptions {
  epochs: number;
  /** Most rows per step. */
  batchSize: number;
  learningRate: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  seed: number;
  /** Sigmoid heads: weight of each concept's positive term (class weights for multilabel). */
  positiveWeights?: Float32Array | undefined;
  onEpoch?: ((report: EpochReport) => void | Promise<void>) | undefined;
  /** Aborting stops training at the next batch with the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface FitResult {
  classifier: Classifier;
  epochsRun: number;
  /** Epoch whose weights were kept (the lowest validation loss). */
  bestEpoch: number;
  /** Rows per step actually used (small sets use smaller batches). */
  batchSize: number;
  stoppedEarly: boolean;
  history: EpochReport[];
}

/** A trained head. */
export interface Classifier {
  readonly spec: HeadSpec;
  /** Probabilities, n×outputs row-major, for n row-major embeddings. */
  predict(x: Float32Array, n: number): Float32Array;
  /** Writes the artifact (TF.js layers format: model.json + weights.bin) into `dir`. */
  save(dir: string, metadata: Record<string, unknown>): Promise<void>;
  dispose(): void;
}

/** Trains and loads heads on one backend. */
export interface Trainer {
  /** Backend name recorded on every version (`tensorflow`, `wasm` or `cpu`). */
  readonly backend: string;
  fit(spec: HeadSpec, train: TrainRows, validation: TrainRows | undefined, options: FitOptions): Promise<FitResult>;
  /** Loads an artifact written by `Classifier.save`. */
  load(dir: string): Promise<Classifier>;
}

/** File names of a saved artifact. */
export const ARTIFACT_FILES = Object.freeze({ model: 'model.json', weights: 'weights.bin' });
