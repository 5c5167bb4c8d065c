import type { LayersModel, Tensor, Variable } from '@tensorflow/tfjs';
import { mulberry32 } from '../util/random.js';
import type { Classifier, EpochReport, FitOptions, FitResult, HeadSpec, Trainer, TrainRows } from './classifier.js';
import { featureScale, foldScale, standardize, type FeatureScale } from './standardize.js';
import { loadLayersModel } from './tf-artifacts.js';
import type { TfBackendName, TfModule } from './tf-backend.js';
import { TfClassifier } from './tf-classifier.js';
import { buildHead, headLoss, logitsOf } from './tf-head.js';

// Training runs on the event loop; yielding this often keeps the HTTP server responsive.
const YIELD_EVERY_MS = 20;
const LOSS_CHUNK = 4096;
const MIN_IMPROVEMENT = 1e-5;
// Small training sets get smaller batches, so an epoch still makes enough updates to learn.
const MIN_STEPS_PER_EPOCH = 16;
const MIN_BATCH = 8;

/** The batch size used: `batchSize`, lowered for small sets so each epoch makes at least 16 updates. */
function effectiveBatchSize(batchSize: number, rows: number): number {
  return Math.max(1, Math.min(batchSize, Math.max(MIN_BATCH, Math.ceil(rows / MIN_STEPS_PER_EPOCH))));
}

interface RowTensors {
  n: number;
  x: Tensor;
  y: Tensor;
  w: Tensor;
}

/**
 * Trains heads with TensorFlow.js: seeded init and shuffling, weighted loss, early stopping
 * with the best weights kept. Inputs are standardized while training, and the scaling is
 * folded into the first layer afterwards, so the artifact takes raw embeddings whatever
 * their scale.
 */
export class TfTrainer implements Trainer {
  constructor(
    private readonly tf: TfModule,
    readonly backend: TfBackendName,
  ) {}

  async fit(spec: HeadSpec, train: TrainRows, validation: TrainRows | undefined, options: FitOptions): Promise<FitResult> {
    const { tf } = this;
    if (train.n === 0) throw new RangeError('no training rows');
    const model = buildHead(tf, spec, options.seed);
    const optimizer = tf.train.adam(options.learningRate);
    const scale = featureScale(train.x, train.n, spec.inputDim);
    const trainT = this.toTensors(spec, train, scale);
    const valT = validation && validation.n > 0 ? this.toTensors(spec, validation, scale) : undefined;
    const positive = spec.kind === 'sigmoid' && options.positiveWeights ? tf.tensor1d(options.positiveWeights) : undefined;
    const variables = model.trainableWeights.map((w) => w.read() as Variable);
    const rand = mulberry32(options.seed);
    const batchSize = effectiveBatchSize(options.batchSize, train.n);
    const history: EpochReport[] = [];
    let best = { loss: Infinity, epoch: 0, weights: [] as Tensor[] };
    let stale = 0;
    let lastYield = performance.now();
    try {
      for (let epoch = 1; epoch <= options.epochs; epoch++) {
        const order = shuffledIndexes(train.n, rand);
        let lossSum = 0;
        for (let start = 0; start < train.n; start += batchSize) {
          options.signal?.throwIfAborted();
          const batch = order.subarray(start, Math.min(train.n, start + batchSize));
          const cost = tf.tidy(() => {
            const idx = tf.tensor1d(batch, 'int32');
            const [xb, yb, wb] = [tf.gather(trainT.x, idx), tf.gather(trainT.y, idx), tf.gather(trainT.w, idx)];
            return optimizer.minimize(() => headLoss(tf, spec, logitsOf(model, xb), yb, wb, positive), true, variables)!;
          });
          lossSum += cost.dataSync()[0]! * batch.length;
          cost.dispose();
          if (performance.now() - lastYield > YIELD_EVERY_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
        }
        const report: EpochReport = {
          epoch,
          epochs: options.epochs,
          loss: lossSum / train.n,
          valLoss: valT ? this.loss(spec, model, valT, positive) : null,
        };
        history.push(report);
        const monitored = report.valLoss ?? report.loss;
        if (monitored < best.loss - MIN_IMPROVEMENT) {
          tf.dispose(best.weights);
          best = { loss: monitored, epoch, weights: model.getWeights().map((w) => w.clone()) };
          stale = 0;
        } else {
          stale += 1;
        }
        await options.onEpoch?.(report);
        if (stale >= options.patience) break;
      }
      if (best.weights.length > 0) model.setWeights(best.weights);
      this.foldInputScale(model, scale);
      const epochsRun = history.length;
      return {
        classifier: new TfClassifier(tf, model, spec),
        epochsRun,
        bestEpoch: best.epoch,
        batchSize,
        stoppedEarly: epochsRun < options.epochs,
        history,
      };
    } catch (err) {
      model.dispose();
      throw err;
    } finally {
      tf.dispose([trainT.x, trainT.y, trainT.w, ...best.weights]);
      if (valT) tf.dispose([valT.x, valT.y, valT.w]);
      positive?.dispose();
      optimizer.dispose();
    }
  }

  async load(dir: string): Promise<Classifier> {
    const { model, metadata } = await loadLayersModel(this.tf, dir);
    return new TfClassifier(this.tf, model, headSpecOf(model, metadata));
  }

  private toTensors(spec: HeadSpec, rows: TrainRows, scale: FeatureScale): RowTensors {
    const { tf } = this;
    return {
      n: rows.n,
      x: tf.tensor2d(standardize(rows.x, rows.n, spec.inputDim, scale), [rows.n, spec.inputDim]),
      y: tf.tensor2d(rows.y, [rows.n, spec.outputs]),
      w: tf.tensor1d(rows.weights),
    };
  }

  private foldInputScale(model: LayersModel, scale: FeatureScale): void {
    const first = model.layers[0]!;
    const [kernel, bias] = first.getWeights();
    const folded = foldScale(kernel!.dataSync() as Float32Array, bias!.dataSync() as Float32Array, scale);
    const replacement = [this.tf.tensor(folded.kernel, kernel!.shape), this.tf.tensor(folded.bias, bias!.shape)];
    first.setWeights(replacement);
    this.tf.dispose(replacement);
  }

  private loss(spec: HeadSpec, model: LayersModel, rows: RowTensors, positive: Tensor | undefined): number {
    const { tf } = this;
    let weighted = 0;
    let weightSum = 0;
    for (let start = 0; start < rows.n; start += LOSS_CHUNK) {
      const size = Math.min(LOSS_CHUNK, rows.n - start);
      const [loss, w] = tf.tidy(() => {
        const wb = rows.w.slice([start], [size]);
        const xb = rows.x.slice([start, 0], [size, spec.inputDim]);
        const yb = rows.y.slice([start, 0], [size, spec.outputs]);
        return [headLoss(tf, spec, logitsOf(model, xb), yb, wb, positive).dataSync()[0]!, tf.sum(wb).dataSync()[0]!];
      });
      weighted += loss * w;
      weightSum += w;
    }
    return weightSum > 0 ? weighted / weightSum : 0;
  }
}

/** A seeded Fisher–Yates permutation of 0..n−1. */
function shuffledIndexes(n: number, rand: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

function headSpecOf(model: LayersModel, metadata: Record<string, unknown>): HeadSpec {
  const saved = metadata.head as Partial<HeadSpec> | undefined;
  const inputDim = model.inputs[0]!.shape[1];
  const outputs = model.outputs[0]!.shape[1];
  if (typeof inputDim !== 'number' || typeof outputs !== 'number') throw new Error('artifact has no fixed input or output width');
  const hidden = model.layers.find((l) => l.name === 'hidden');
  return {
    kind: saved?.kind === 'sigmoid' ? 'sigmoid' : 'softmax',
    inputDim,
    outputs,
    hiddenUnits: hidden ? (hidden.outputShape as number[])[1] ?? 0 : 0,
  };
}
