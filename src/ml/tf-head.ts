import type { LayersModel, Scalar, Tensor } from '@tensorflow/tfjs';
import type { HeadSpec } from './classifier.js';
import type { TfModule } from './tf-backend.js';

/** Builds the head: [dense ReLU hidden] → dense logits → softmax or sigmoid, with seeded initial weights. */
export function buildHead(tf: TfModule, spec: HeadSpec, seed: number): LayersModel {
  const model = tf.sequential();
  if (spec.hiddenUnits > 0) {
    model.add(
      tf.layers.dense({
        inputShape: [spec.inputDim],
        units: spec.hiddenUnits,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed }),
        name: 'hidden',
      }),
    );
  }
  model.add(
    tf.layers.dense({
      ...(spec.hiddenUnits > 0 ? {} : { inputShape: [spec.inputDim] }),
      units: spec.outputs,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      name: 'logits',
    }),
  );
  model.add(tf.layers.activation({ activation: spec.kind, name: 'scores' }));
  return model;
}

/** Logits of the head: every layer but the final activation, so losses stay numerically stable. */
export function logitsOf(model: LayersModel, x: Tensor): Tensor {
  let h = x;
  for (const layer of model.layers.slice(0, -1)) h = layer.apply(h) as Tensor;
  return h;
}

/**
 * Weighted loss of one batch: Σ wᵢ·lossᵢ / Σ wᵢ. Softmax heads use cross-entropy; sigmoid
 * heads use binary cross-entropy per concept, its positive term scaled by `positiveWeights`.
 */
export function headLoss(tf: TfModule, spec: HeadSpec, logits: Tensor, y: Tensor, w: Tensor, positiveWeights?: Tensor): Scalar {
  return tf.tidy(() => {
    let perRow: Tensor;
    if (spec.kind === 'softmax') {
      perRow = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), -1));
    } else {
      // −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z).
      const positive = tf.mul(y, tf.softplus(tf.neg(logits)));
      const negative = tf.mul(tf.sub(1, y), tf.softplus(logits));
      perRow = tf.mean(tf.add(positiveWeights ? tf.mul(positive, positiveWeights) : positive, negative), -1);
    }
    return tf.div(tf.sum(tf.mul(perRow, w)), tf.maximum(tf.sum(w), 1e-12)) as Scalar;
  });
}
