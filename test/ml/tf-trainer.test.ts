import { describe, expect, it } from 'vitest';
import type { TrainRows } from '../../src/ml/classifier.js';
import { sharedTensorflow } from '../../src/ml/tf-backend.js';
import { TfTrainer } from '../../src/ml/tf-trainer.js';
import { ClusteredData } from '../support/clustered-data.js';

const DIM = 8;
const K = 3;

function rows(data: ClusteredData, n: number, scale = 1): TrainRows {
  const x = new Float32Array(n * DIM);
  const y = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    x.set(data.point(i % K).map((v) => v * scale), i * DIM);
    y[i * K + (i % K)] = 1;
  }
  return { n, x, y, weights: new Float32Array(n).fill(1) };
}

async function trainer(): Promise<TfTrainer> {
  const { tf, backend } = await sharedTensorflow();
  return new TfTrainer(tf, backend);
}

const head = { kind: 'softmax' as const, inputDim: DIM, outputs: K, hiddenUnits: 4 };
const options = { epochs: 6, batchSize: 16, learningRate: 0.01, patience: 3, seed: 7 };

describe('TfTrainer', () => {
  it('when the same data is trained twice with the same seed, then the scores are identical', async () => {
    const t = await trainer();
    const train = rows(new ClusteredData({ dim: DIM, clusters: K, spread: 0.8, seed: 1 }), 90);
    const probe = rows(new ClusteredData({ dim: DIM, clusters: K, spread: 0.8, seed: 2 }), 12);
    const a = await t.fit(head, train, undefined, options);
    const b = await t.fit(head, train, undefined, options);
    const c = await t.fit(head, train, undefined, { ...options, seed: 8 });
    expect(Array.from(a.classifier.predict(probe.x, probe.n))).toEqual(Array.from(b.classifier.predict(probe.x, probe.n)));
    expect(Array.from(a.classifier.predict(probe.x, probe.n))).not.toEqual(Array.from(c.classifier.predict(probe.x, probe.n)));
    for (const r of [a, b, c]) r.classifier.dispose();
  });

  it('when the validation loss stops improving, then training stops after the patience and keeps the best epoch', async () => {
    const t = await trainer();
    // Labels unrelated to the inputs: validation loss cannot keep improving.
    const noise = new ClusteredData({ dim: DIM, clusters: K, spread: 3, seed: 3 });
    const train = rows(noise, 60);
    const validation = rows(noise, 30);
    validation.y.reverse();
    const reports: number[] = [];
    const r = await t.fit(head, train, validation, { ...options, epochs: 200, patience: 2, onEpoch: (e) => void reports.push(e.epoch) });
    expect(r.stoppedEarly).toBe(true);
    expect(r.epochsRun).toBe(r.bestEpoch + 2);
    expect(reports).toEqual(Array.from({ length: r.epochsRun }, (_, i) => i + 1));
    const best = Math.min(...r.history.map((h) => h.valLoss!));
    expect(r.history[r.bestEpoch - 1]!.valLoss).toBe(best);
    r.classifier.dispose();
  });

  it('when embeddings are tiny in scale, then the head still learns them (inputs are standardized and the scaling folded into the artifact)', async () => {
    const t = await trainer();
    const data = new ClusteredData({ dim: DIM, clusters: K, spread: 0.3, seed: 4 });
    const r = await t.fit(head, rows(data, 150, 0.001), undefined, { ...options, epochs: 20 });
    const probe = rows(data, 30, 0.001);
    const p = r.classifier.predict(probe.x, probe.n);
    let correct = 0;
    for (let i = 0; i < probe.n; i++) {
      const row = Array.from(p.subarray(i * K, (i + 1) * K));
      if (row.indexOf(Math.max(...row)) === i % K) correct++;
    }
    expect(correct / probe.n).toBeGreaterThan(0.9);
    r.classifier.dispose();
  });

  it('when the signal aborts, then training stops with the signal reason and frees its tensors', async () => {
    const { tf } = await sharedTensorflow();
    const t = await trainer();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const fit = t.fit(head, rows(new ClusteredData({ dim: DIM, clusters: K, spread: 1, seed: 5 }), 300), undefined, {
      ...options,
      batchSize: 4,
      epochs: 100,
      patience: 100,
      signal: controller.signal,
      onEpoch: (e) => {
        if (e.epoch === 2) controller.abort(new Error('stop now'));
      },
    });
    await expect(fit).rejects.toThrow('stop now');
    expect(tf.memory().numTensors).toBe(before);
  });
});
