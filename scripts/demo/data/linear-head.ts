import * as tf from '@tensorflow/tfjs';
import { createRng, shuffled } from './prng.js';

export interface SoftmaxHead {
  classes: string[];
  predict(embeddings: Float32Array): string[];
  dispose(): void;
}

export interface HeadOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export const DEFAULT_HEAD_OPTIONS: Omit<HeadOptions, 'seed'> = { epochs: 40, batchSize: 128, learningRate: 0.01 };

/**
 * Multinomial logistic regression on frozen embeddings: the simplest head a
 * retraining job could fit. Zero-initialised and convex, so it barely
 * depends on the seed (which only orders the mini-batches).
 *
 * Not the product's TfTrainer on purpose: this head produced the committed
 * figures in data/demo/manifest.json, which test/demo/baseline.test.ts
 * reproduces. The trainer (standardised inputs, seeded Glorot start) gives
 * other figures on the same rows, so switching means rebuilding the data.
 */
export async function trainSoftmaxHead(
  embeddings: Float32Array,
  labels: readonly string[],
  dim: number,
  options: HeadOptions,
): Promise<SoftmaxHead> {
  const classes = [...new Set(labels)].sort();
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const weights = tf.variable(tf.zeros([dim, classes.length]));
  const bias = tf.variable(tf.zeros([classes.length]));
  const optimizer = tf.train.adam(options.learningRate);
  const rng = createRng(options.seed);
  const rows = Array.from({ length: labels.length }, (_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = shuffled(rows, rng);
    for (let start = 0; start < order.length; start += options.batchSize) {
      const ids = order.slice(start, start + options.batchSize);
      tf.tidy(() => {
        const x = tf.tensor2d(gatherRows(embeddings, dim, ids), [ids.length, dim]);
        const y = tf.oneHot(tf.tensor1d(ids.map((i) => classIndex.get(labels[i] as string) as number), 'int32'), classes.length);
        optimizer.minimize(
          () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, tf.add(tf.matMul(x, weights), bias)),
          false,
          [weights, bias],
        );
      });
    }
  }
  optimizer.dispose();
  return {
    classes,
    predict(queries) {
      const best = tf.tidy(() => tf.argMax(tf.add(tf.matMul(tf.tensor2d(queries, [queries.length / dim, dim]), weights), bias), 1));
      const indices = best.dataSync();
      best.dispose();
      return Array.from(indices, (i) => classes[i] as string);
    },
    dispose() {
      weights.dispose();
      bias.dispose();
    },
  };
}

function gatherRows(matrix: Float32Array, dim: number, ids: readonly number[]): Float32Array {
  const out = new Float32Array(ids.length * dim);
  ids.forEach((id, row) => out.set(matrix.subarray(id * dim, (id + 1) * dim), row * dim));
  return out;
}
