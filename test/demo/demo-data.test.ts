import { describe, expect, it } from 'vitest';
import {
  addGaussianNoise,
  adjustLighting,
  applyCorruption,
  gaussianBlur,
  occlude,
  samplePhoneCorruption,
  transform,
} from '../../scripts/demo/data/corruptions.js';
import { loadDemoDataset } from '../../scripts/demo/data/demo-dataset.js';
import { decodeEmbedding, encodeEmbedding } from '../../scripts/demo/data/embedding-codec.js';
import { parseIdx } from '../../scripts/demo/data/idx.js';
import type { GrayImage } from '../../scripts/demo/data/image.js';
import { createRng } from '../../scripts/demo/data/prng.js';
import { planSplits } from '../../scripts/demo/data/splits.js';

function squareImage(side = 12): GrayImage {
  const data = new Float32Array(side * side);
  for (let y = 3; y < side - 3; y++) for (let x = 3; x < side - 3; x++) data[y * side + x] = 0.8;
  return { width: side, height: side, data };
}

function corrupt(seed: number): Float32Array {
  const rng = createRng(seed);
  return applyCorruption(squareImage(), samplePhoneCorruption(rng, 12, 12), rng).data;
}

describe('phone-like corruptions', () => {
  it('repeat exactly with the same seed and differ with another', () => {
    expect(corrupt(7)).toEqual(corrupt(7));
    expect(corrupt(7)).not.toEqual(corrupt(8));
  });

  it('change the pixels of the clean image', () => {
    const clean = squareImage().data;
    const changed = corrupt(7).filter((v, i) => Math.abs(v - (clean[i] as number)) > 0.01).length;
    expect(changed).toBeGreaterThan(clean.length / 2);
  });

  it('each step alters the image, and noise repeats with its seed', () => {
    const image = squareImage();
    expect(gaussianBlur(image, 1).data).not.toEqual(image.data);
    expect(transform(image, { rotationDeg: 10, scale: 1, shiftX: 0, shiftY: 0 }).data).not.toEqual(image.data);
    const lit = adjustLighting(image, { background: 0.3, contrast: 1, gamma: 1, gradient: 0, gradientAngleDeg: 0 });
    expect(lit.data[0]).toBeCloseTo(0.3);
    const patch = { x: 0, y: 0, width: 2, height: 2, kind: 'solid' as const, level: 0.5 };
    expect(occlude(image, [patch], createRng(1)).data[0]).toBeCloseTo(0.5);
    expect(addGaussianNoise(image, 0.1, createRng(3)).data).toEqual(addGaussianNoise(image, 0.1, createRng(3)).data);
  });

  it('leave the image unchanged under the identity framing', () => {
    const image = squareImage();
    const same = transform(image, { rotationDeg: 0, scale: 1, shiftX: 0, shiftY: 0 });
    same.data.forEach((v, i) => expect(v).toBeCloseTo(image.data[i] as number, 5));
  });
});

describe('IDX reader', () => {
  it('parses dimensions and data of an unsigned-byte tensor', () => {
    const header = Buffer.from([0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
    const tensor = parseIdx(Buffer.concat([header, Buffer.from([...Array(12).keys()])]));
    expect(tensor.dims).toEqual([2, 2, 3]);
    expect([...tensor.data]).toEqual([...Array(12).keys()]);
  });

  it('rejects a truncated body and a foreign data type', () => {
    expect(() => parseIdx(Buffer.from([0, 0, 0x08, 1, 0, 0, 0, 4, 1, 2]))).toThrow(/expected/);
    expect(() => parseIdx(Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]))).toThrow(/unsupported/);
  });
});

describe('embedding codec and splits', () => {
  it('round-trips a unit vector through int8 within a small cosine error', () => {
    const rng = createRng(5);
    const raw = Array.from({ length: 64 }, () => rng.normal());
    const norm = Math.hypot(...raw);
    const vector = raw.map((v) => v / norm);
    const decoded = decodeEmbedding(encodeEmbedding(vector));
    expect(decoded).toHaveLength(64);
    expect(decoded.reduce((sum, v, i) => sum + v * (vector[i] as number), 0)).toBeGreaterThan(0.999);
  });

  it('plans disjoint parts with the asked counts per concept', () => {
    const labels = Uint8Array.from({ length: 400 }, (_, i) => i % 10);
    const sizes = { cnnPerClass: 10, trainPerClass: 5, prodCleanPerClass: 3, prodUgcPerClass: 4, evalCleanPerClass: 2, evalUgcPerClass: 2 };
    const plan = planSplits(labels, labels, sizes, 1);
    expect(plan.cnn).toHaveLength(70);
    expect(plan.prodUgc).toHaveLength(40);
    expect(new Set([...plan.cnn, ...plan.train]).size).toBe(plan.cnn.length + plan.train.length);
    const test = [...plan.prodClean, ...plan.prodUgc, ...plan.evalClean, ...plan.evalUgc];
    expect(new Set(test).size).toBe(test.length);
    expect(planSplits(labels, labels, sizes, 1)).toEqual(plan);
  });
});

describe('committed data/demo', () => {
  it('loads records of the declared dimension whose concepts the model or the held-out list declares', async () => {
    const data = await loadDemoDataset('data/demo');
    const modelIds = data.model.concepts.map((c) => c.id);
    expect(modelIds).toEqual(data.manifest.knownConcepts);
    expect(data.model.embeddingDim).toBe(data.manifest.embeddingDim);
    const everyId = new Set<string>();
    for (const [name, records] of Object.entries({
      train: data.train, prodClean: data.prodClean, prodUgc: data.prodUgc, evalClean: data.evalClean, evalUgc: data.evalUgc,
    })) {
      expect(records.length).toBe(data.manifest.sets[name]?.count);
      const allowed = name === 'prodUgc' || name === 'evalUgc' ? [...modelIds, ...data.manifest.heldOutConcepts] : modelIds;
      for (const record of records) {
        expect(record.embedding).toHaveLength(data.model.embeddingDim);
        expect(allowed).toContain(record.concept);
        everyId.add(record.id);
      }
    }
    for (const prediction of [...data.prodClean, ...data.prodUgc]) {
      expect(Object.keys(prediction.scores)).toEqual(modelIds);
      expect(prediction.input?.url.startsWith('data:image/png;base64,')).toBe(true);
    }
    expect(new Set(data.prodUgc.map((p) => p.concept))).toEqual(new Set([...modelIds, ...data.manifest.heldOutConcepts]));
    expect(everyId.size).toBe(Object.values(data.manifest.sets).reduce((sum, s) => sum + s.count, 0));
  });
});
