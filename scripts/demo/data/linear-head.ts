import { defaultImporters, loadTensorflow } from '../../../src/ml/tf-backend.js';
import { TfTrainer } from '../../../src/ml/tf-trainer.js';

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
 * A linear softmax head on frozen embeddings, trained by the product's own trainer (the
 * TF.js head retraining fits), on the builder's repeatable backends (wasm, else cpu).
 * Every row weighs 1 and there is no validation slice, so all epochs run.
 */
export async function trainSoftmaxHead(
  embeddings: Float32Array,
  labels: readonly string[],
  dim: number,
  options: HeadOptions,
): Promise<SoftmaxHead> {
  const { tf, backend } = await loadTensorflow(defaultImporters, { backends: ['wasm', 'cpu'] });
  const classes = [...new Set(labels)].sort();
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const n = labels.length;
  const y = new Float32Array(n * classes.length);
  labels.forEach((label, row) => (y[row * classes.length + classIndex.get(label)!] = 1));
  const spec = { kind: 'softmax' as const, inputDim: dim, outputs: classes.length, hiddenUnits: 0 };
  const { classifier } = await new TfTrainer(tf, backend).fit(spec, { n, x: embeddings, y, weights: new Float32Array(n).fill(1) }, undefined, {
    ...options,
    patience: options.epochs,
  });
  return {
    classes,
    predict(queries) {
      const rows = queries.length / dim;
      const probabilities = classifier.predict(queries, rows);
      return Array.from({ length: rows }, (_, row) => {
        let best = 0;
        for (let c = 1; c < classes.length; c++) if (probabilities[row * classes.length + c]! > probabilities[row * classes.length + best]!) best = c;
        return classes[best]!;
      });
    },
    dispose: () => classifier.dispose(),
  };
}
