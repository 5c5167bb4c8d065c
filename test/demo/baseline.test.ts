import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureBaseline, type EvaluatedSet } from '../../scripts/demo/data/baseline.js';
import { loadDemoDataset, type DemoManifest, type DemoRecord } from '../../scripts/demo/data/demo-dataset.js';
import { deriveSeed } from '../../scripts/demo/data/prng.js';
import { defaultImporters, loadTensorflow } from '../../src/ml/tf-backend.js';

/** A set as the builder held it: the stored (int8-decoded) embeddings, as float32 rows. */
function evaluated(records: DemoRecord[]): EvaluatedSet {
  return {
    embeddings: Float32Array.from(records.flatMap((r) => r.embedding)),
    concepts: records.map((r) => r.concept),
    predicted: records.map(() => ''),
  };
}

describe('demo baseline figures', () => {
  beforeAll(async () => {
    await loadTensorflow(defaultImporters, { backends: ['wasm', 'cpu'] });
  });

  it('when measured again from the committed embeddings with the builder backend, the product vector index and the product head trainer, then they equal data/demo/manifest.json', async () => {
    const data = await loadDemoDataset('data/demo');
    const manifest = JSON.parse(await readFile('data/demo/manifest.json', 'utf8')) as DemoManifest;
    const figures = await measureBaseline({
      dim: data.manifest.embeddingDim,
      knownConcepts: data.manifest.knownConcepts,
      train: evaluated(data.train),
      prodClean: evaluated(data.prodClean),
      prodUgc: evaluated(data.prodUgc),
      evalClean: evaluated(data.evalClean),
      evalUgc: evaluated(data.evalUgc),
      seed: deriveSeed(manifest.seed, 'heads'),
    });
    const { productionModel: _fromTheCnn, ...measured } = figures;
    const { productionModel: _committed, ...expected } = manifest.baseline;
    expect(measured).toEqual(expected);
  });
});
