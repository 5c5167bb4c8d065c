import * as tf from '@tensorflow/tfjs';
import { createRng, shuffled } from './prng.js';
import type { Rng } from './prng.js';

/** The encoder name the demo model declares; bump the suffix when the CNN changes. */
export const ENCODER_NAME = 'fmnist-cnn64@1';
export const EMBEDDING_DIM = 64;
const SIDE = 28;
const PIXELS = SIDE * SIDE;

/**
 * conv 3x3x16 → max-pool 2 → conv 3x3x32 → max-pool 2 → dense 64 (ReLU, the
 * embedding) → softmax head. Written with plain variables rather than
 * tf.layers because the wasm backend has no Conv2DBackpropFilter kernel; the
 * filter gradient is computed here as an im2col matrix product instead.
 */
export interface Cnn {
  readonly classes: number;
  readonly variables: tf.Variable[];
  /** Logits and the (unnormalised) 64-d penultimate activations for a batch of [n,28,28,1] images in [0,1]. */
  forward(x: tf.Tensor4D): { embedding: tf.Tensor2D; logits: tf.Tensor2D };
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  onBatch?: (progress: { epoch: number; batch: number; batches: number; loss: number }) => void;
}

export interface EmbedResult {
  /** n × 64, each row L2-normalised. */
  embeddings: Float32Array;
  /** n × classes softmax probabilities of the CNN's own head. */
  probabilities: Float32Array;
}

export function createCnn(classes: number, seed: number): Cnn {
  const rng = createRng(seed);
  const conv1W = heVariable(rng, [3, 3, 1, 16], 9);
  const conv1B = tf.variable(tf.zeros([16]));
  const conv2W = heVariable(rng, [3, 3, 16, 32], 9 * 16);
  const conv2B = tf.variable(tf.zeros([32]));
  const denseW = heVariable(rng, [5 * 5 * 32, EMBEDDING_DIM], 5 * 5 * 32);
  const denseB = tf.variable(tf.zeros([EMBEDDING_DIM]));
  const headW = heVariable(rng, [EMBEDDING_DIM, classes], EMBEDDING_DIM);
  const headB = tf.variable(tf.zeros([classes]));
  return {
    classes,
    variables: [conv1W, conv1B, conv2W, conv2B, denseW, denseB, headW, headB],
    forward(x) {
      const c1 = tf.maxPool(tf.relu(tf.add<tf.Tensor4D>(conv2dValid(x, conv1W), conv1B)), 2, 2, 'valid');
      const c2 = tf.maxPool(tf.relu(tf.add<tf.Tensor4D>(conv2dValid(c1, conv2W), conv2B)), 2, 2, 'valid');
      const flat = tf.reshape<tf.Rank.R2>(c2, [-1, 5 * 5 * 32]);
      const embedding = tf.relu(tf.add<tf.Tensor2D>(tf.matMul(flat, denseW), denseB));
      const logits = tf.add<tf.Tensor2D>(tf.matMul(embedding, headW), headB);
      return { embedding, logits };
    },
  };
}

/** Mini-batch Adam with our own seeded shuffling, so a rebuild repeats itself. */
export async function trainCnn(cnn: Cnn, images: Uint8Array, labels: Int32Array, options: TrainOptions): Promise<number> {
  const count = labels.length;
  const optimizer = tf.train.adam(options.learningRate);
  const rng = createRng(options.seed);
  const order = Array.from({ length: count }, (_, i) => i);
  const batches = Math.ceil(count / options.batchSize);
  let lastLoss = NaN;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const epochOrder = shuffled(order, rng);
    for (let batch = 0; batch < batches; batch++) {
      const ids = epochOrder.slice(batch * options.batchSize, (batch + 1) * options.batchSize);
      const x = batchImages(images, ids);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(ids.map((i) => labels[i] as number), 'int32'), cnn.classes));
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, cnn.forward(x).logits),
        true,
        cnn.variables,
      );
      tf.dispose([x, y]);
      lastLoss = loss ? ((await loss.data())[0] ?? NaN) : NaN;
      loss?.dispose();
      options.onBatch?.({ epoch, batch, batches, loss: lastLoss });
    }
  }
  optimizer.dispose();
  return lastLoss;
}

/** Runs images through the frozen CNN: L2-normalised embeddings and head probabilities. */
export async function embedImages(
  cnn: Cnn,
  images: Uint8Array,
  batchSize: number,
  onBatch?: (done: number) => void,
): Promise<EmbedResult> {
  const count = images.length / PIXELS;
  const embeddings = new Float32Array(count * EMBEDDING_DIM);
  const probabilities = new Float32Array(count * cnn.classes);
  for (let start = 0; start < count; start += batchSize) {
    const ids = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
    const { emb, prob } = tf.tidy(() => {
      const { embedding, logits } = cnn.forward(batchImages(images, ids));
      return { emb: embedding, prob: tf.softmax(logits) };
    });
    embeddings.set(await emb.data(), start * EMBEDDING_DIM);
    probabilities.set(await prob.data(), start * cnn.classes);
    emb.dispose();
    prob.dispose();
    onBatch?.(ids.length);
  }
  for (let i = 0; i < count; i++) normalizeInPlace(embeddings.subarray(i * EMBEDDING_DIM, (i + 1) * EMBEDDING_DIM));
  return { embeddings, probabilities };
}

export function disposeCnn(cnn: Cnn): void {
  for (const variable of cnn.variables) variable.dispose();
}

function normalizeInPlace(vector: Float32Array): void {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  // A dead (all-zero) activation stays zero rather than becoming NaN.
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / norm;
}

function batchImages(images: Uint8Array, ids: readonly number[]): tf.Tensor4D {
  const data = new Float32Array(ids.length * PIXELS);
  ids.forEach((id, row) => {
    for (let p = 0; p < PIXELS; p++) data[row * PIXELS + p] = (images[id * PIXELS + p] as number) / 255;
  });
  return tf.tensor4d(data, [ids.length, SIDE, SIDE, 1]);
}

function heVariable(rng: Rng, shape: number[], fanIn: number): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const std = Math.sqrt(2 / fanIn);
  const values = Float32Array.from({ length: size }, () => rng.normal() * std);
  return tf.variable(tf.tensor(values, shape));
}

/** Stride-1 'valid' 3x3 convolution whose filter gradient avoids the missing wasm kernel. */
const conv2dValid = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.conv2d(x, w, 1, 'valid'),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const [n, h, width, cin] = input.shape;
      const [kh, kw, , cout] = filter.shape;
      const oh = h - kh + 1;
      const ow = width - kw + 1;
      const slices: tf.Tensor4D[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) slices.push(tf.slice(input, [0, i, j, 0], [n, oh, ow, cin]));
      }
      const patches = tf.reshape(tf.concat(slices, 3), [n * oh * ow, kh * kw * cin]);
      const dyFlat = tf.reshape(dy, [n * oh * ow, cout]);
      const dFilter = tf.reshape(tf.matMul(patches, dyFlat, true, false), [kh, kw, cin, cout]);
      const dInput = tf.conv2dTranspose(dy as tf.Tensor4D, filter, [n, h, width, cin], 1, 'valid');
      return [dInput, dFilter];
    },
  };
}) as (x: tf.Tensor4D, w: tf.Tensor) => tf.Tensor4D;
