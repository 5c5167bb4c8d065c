/**
 * The service's retraining without the service: its own `assembleTrainingData`, `rowWeights`
 * and TF.js trainer on the demo's clean examples plus a set of labeled production items (held-out
 * classes join as proposed concepts once they have `minConceptLabels` labels), measured by argmax
 * accuracy on the phone-like eval. The offline loops (selection-sim.ts) use it to try many
 * selections in the time one run of `npm run bench -- labels` takes.
 */
import { defaultSettings } from '../../../src/models/settings.js';
import { sharedTensorflow } from '../../../src/ml/tf-backend.js';
import { TfTrainer } from '../../../src/ml/tf-trainer.js';
import { assembleTrainingData, type LabeledRows } from '../../../src/training/training-data.js';
import { rowWeights } from '../../../src/training/weights.js';
import { productionSplit, splitForId } from '../../../src/util/hash-split.js';
import { newSplitKey } from '../../../src/models/models.service.js';
import { DEMO_SPLIT_SECRET } from '../../demo/run/demo.runner.js';
import { POOL_MODEL } from './queue-pool.js';
import type { DemoDataset, DemoPrediction } from '../../demo/data/demo-dataset.js';

export interface TrainOptions {
  hiddenUnits?: number;
  productionWeight?: number;
  /** Rows added to the fit set before training (label spreading's pseudo-labels), with their weights. */
  extend?: (fit: LabeledRows, weights: Float32Array, concepts: number) => { fit: LabeledRows; weights: Float32Array };
}

/** A trained head: its accuracy on the phone-like eval, and its probabilities for any inputs. */
export interface OfflineModel {
  accuracy: number;
  /** Accuracy on the clean eval (the promotion guard's side). */
  clean: number;
  concepts: string[];
  /** Row-major n × concepts.length probabilities. */
  probabilities(rows: { embedding: Float32Array | number[] }[]): Float32Array;
  dispose(): void;
}

function flatten(rows: { embedding: Float32Array | number[] }[], dim: number): Float32Array {
  const x = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => x.set(r.embedding, i * dim));
  return x;
}

export async function offlineTrainer(data: DemoDataset) {
  const { tf, backend } = await sharedTensorflow();
  const trainer = new TfTrainer(tf, backend);
  const s = defaultSettings().retrain;
  const dim = data.train[0]!.embedding.length;
  const taxonomy = data.model.concepts.map((c: { id: string }) => c.id);
  // Labeled items split as the service split them for the pool's model under the demo's secret.
  const poolModel = { splitKey: newSplitKey(DEMO_SPLIT_SECRET, POOL_MODEL) };
  const originals = data.train.map((r) => ({ id: r.id, embedding: r.embedding, concepts: [r.concept], split: splitForId(r.id) }));

  return async function train(chosen: DemoPrediction[], opts: TrainOptions = {}): Promise<OfflineModel> {
    const counts = new Map<string, number>();
    for (const r of chosen) counts.set(r.concept, (counts.get(r.concept) ?? 0) + 1);
    const added = [...counts].filter(([c, k]) => !taxonomy.includes(c) && k >= s.minConceptLabels).map(([c]) => c).sort();
    const production = chosen.map((r) => ({
      id: r.id,
      embedding: r.embedding,
      split: productionSplit(poolModel, r.id),
      concepts: taxonomy.includes(r.concept) ? [r.concept] : [],
      newConcepts: taxonomy.includes(r.concept) ? [] : [r.concept],
      labelIds: [],
      labeledAt: '',
    }));
    const d = assembleTrainingData({ task: 'multiclass', dim, taxonomy, addedConcepts: added, originals, production, validationShare: s.validationShare, splitKey: poolModel.splitKey });
    const k = d.concepts.length;
    const ws = { ...s, productionWeight: opts.productionWeight ?? s.productionWeight };
    const base = rowWeights('multiclass', d.fit, k, ws).weights;
    const { fit, weights } = opts.extend ? opts.extend(d.fit, base, k) : { fit: d.fit, weights: base };
    const vw = rowWeights('multiclass', d.validation, k, ws).weights;
    const spec = { kind: 'softmax' as const, inputDim: dim, outputs: k, hiddenUnits: opts.hiddenUnits ?? s.hiddenUnits };
    const fitted = await trainer.fit(spec, { n: fit.n, x: fit.x, y: fit.y, weights }, { n: d.validation.n, x: d.validation.x, y: d.validation.y, weights: vw }, { epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, patience: s.patience, seed: s.seed });
    const probabilities = (rows: { embedding: Float32Array | number[] }[]) => fitted.classifier.predict(flatten(rows, dim), rows.length);
    const accuracy = (rows: DemoPrediction[]) => {
      const p = probabilities(rows);
      let right = 0;
      rows.forEach((e, i) => {
        let best = 0;
        for (let j = 1; j < k; j++) if (p[i * k + j]! > p[i * k + best]!) best = j;
        if (d.concepts[best] === e.concept) right++;
      });
      return right / rows.length;
    };
    return { accuracy: accuracy(data.evalUgc), clean: accuracy(data.evalClean), concepts: d.concepts, probabilities, dispose: () => fitted.classifier.dispose() };
  };
}
