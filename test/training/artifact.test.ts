import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedTensorflow } from '../../src/ml/tf-backend.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ClusteredData, retrain, seedModel } from '../support/training-fixtures.js';

describe('version artifacts and predict', () => {
  let server: TestServer;
  const data = new ClusteredData({ dim: 12, clusters: 3, spread: 0.7, seed: 9 });
  const probes = Array.from({ length: 9 }, (_, i) => data.point(i % 3, i % 2 ? 0.3 : 0));

  beforeAll(async () => {
    server = await startTestServer();
    await seedModel(server, 'art', data, { perConcept: 50, settings: { retrain: { hiddenUnits: 8, epochs: 20 } } });
    await seedModel(server, 'tags', data, { perConcept: 50, task: 'multilabel', settings: { retrain: { epochs: 20 } } });
    await retrain(server, 'art');
    await retrain(server, 'tags');
  });
  afterAll(() => server.stop());

  async function loadedScores(model: string, version: number): Promise<number[][]> {
    const { tf } = await sharedTensorflow();
    const loaded = await tf.loadLayersModel(`${server.url}/v1/models/${model}/versions/${version}/model.json`);
    const out = tf.tidy(() => (loaded.predict(tf.tensor2d(probes)) as ReturnType<typeof tf.tensor2d>).arraySync() as number[][]);
    loaded.dispose();
    return out;
  }

  for (const model of ['art', 'tags']) {
    it(`when the ${model} artifact is loaded with tf.loadLayersModel(url) from the server, then it reproduces POST predict`, async () => {
      const predicted = await server.request('POST', `/v1/models/${model}/predict`, { embeddings: probes });
      expect(predicted.status).toBe(200);
      expect(predicted.body.version).toBe(1);
      const local = await loadedScores(model, 1);
      predicted.body.scores.forEach((s: Record<string, number>, i: number) => {
        expect(Object.keys(s)).toEqual(['c0', 'c1', 'c2']);
        Object.values(s).forEach((score, k) => expect(score).toBeCloseTo(local[i]![k]!, 6));
      });
    });
  }

  it('when model.json is fetched, then it is a TF.js layers model naming its weights file relatively, with the concepts', async () => {
    const res = await server.request('GET', '/v1/models/art/versions/1/model.json');
    expect(res.status).toBe(200);
    expect(res.body.format).toBe('layers-model');
    expect(res.body.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(res.body.userDefinedMetadata.driftloop).toMatchObject({ model: 'art', version: 1, task: 'multiclass', concepts: ['c0', 'c1', 'c2'] });
    expect(res.body.userDefinedMetadata.head).toEqual({ kind: 'softmax', inputDim: 12, outputs: 3, hiddenUnits: 8 });
    const weights = await fetch(`${server.url}/v1/models/art/versions/1/weights.bin`);
    expect(weights.headers.get('content-type')).toBe('application/octet-stream');
    // hidden 12×8 + 8, output 8×3 + 3, float32
    expect((await weights.arrayBuffer()).byteLength).toBe((12 * 8 + 8 + 8 * 3 + 3) * 4);
    expect((await server.request('GET', '/v1/models/art/versions/7/model.json')).status).toBe(404);
  });

  it('when a multilabel version is promoted, then its tuned thresholds stay in its artifact and the scoring settings keep their default', async () => {
    const [v1] = (await server.request('GET', '/v1/models/tags/versions')).body;
    expect(v1.thresholds.kind).toBe('multilabel');
    expect(Object.keys(v1.thresholds.perConcept)).toEqual(['c0', 'c1', 'c2']);
    expect(v1.metrics.clean.confusion.perConcept.c0).toHaveLength(2);
    const artifact = (await server.request('GET', '/v1/models/tags/versions/1/model.json')).body;
    expect(artifact.userDefinedMetadata.driftloop.thresholds.perConcept).toEqual(v1.thresholds.perConcept);
    const model = (await server.request('GET', '/v1/models/tags')).body;
    expect(model.settings.scoring.thresholds).toEqual({});
  });

  it('when predict gets embeddings of the wrong size, then it answers 400 with their indexes', async () => {
    const res = await server.request('POST', '/v1/models/art/predict', { embeddings: [probes[0], [1, 2, 3], probes[1], [0]] });
    expect(res.status).toBe(400);
    expect(res.body.error.details.indexes).toEqual([1, 3]);
  });

  it('when a model has no champion yet, then predict answers 409', async () => {
    await server.request('PUT', '/v1/models/untrained', { task: 'multiclass', embeddingDim: 12, concepts: [{ id: 'c0' }] });
    const res = await server.request('POST', '/v1/models/untrained/predict', { embeddings: [probes[0]] });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/no champion/);
  });
});
