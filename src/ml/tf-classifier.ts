import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { Classifier, HeadSpec } from './classifier.js';
import { saveLayersModel } from './tf-artifacts.js';
import type { TfModule } from './tf-backend.js';

const PREDICT_CHUNK = 4096;

/** A TensorFlow.js layers model behind `Classifier`. */
export class TfClassifier implements Classifier {
  constructor(
    private readonly tf: TfModule,
    readonly model: LayersModel,
    readonly spec: HeadSpec,
  ) {}

  predict(x: Float32Array, n: number): Float32Array {
    const { inputDim, outputs } = this.spec;
    if (x.length !== n * inputDim) throw new RangeError(`expected ${n}×${inputDim} values, got ${x.length}`);
    const out = new Float32Array(n * outputs);
    for (let start = 0; start < n; start += PREDICT_CHUNK) {
      const rows = Math.min(PREDICT_CHUNK, n - start);
      const scores = this.tf.tidy(() => {
        const input = this.tf.tensor2d(x.subarray(start * inputDim, (start + rows) * inputDim), [rows, inputDim]);
        return (this.model.predict(input) as Tensor).dataSync();
      });
      out.set(scores, start * outputs);
    }
    return out;
  }

  save(dir: string, metadata: Record<string, unknown>): Promise<void> {
    return saveLayersModel(this.tf, this.model, dir, { head: this.spec, ...metadata });
  }

  dispose(): void {
    this.model.dispose();
  }
}
