import { applyCorruption, samplePhoneCorruption, summarizeCorruption } from './corruptions.js';
import type { DemoSetName, StoredRecord } from './demo-dataset.js';
import { EMBEDDING_DIM, embedImages } from './embedder.js';
import type { Cnn } from './embedder.js';
import { decodeEmbedding, encodeEmbedding } from './embedding-codec.js';
import { conceptForLabel, KNOWN_CONCEPTS } from './concepts.js';
import { FMNIST_PIXELS, FMNIST_SIDE, imageBytes } from './fashion-mnist.js';
import type { FashionMnist } from './fashion-mnist.js';
import { imageFromBytes, imageToBytes } from './image.js';
import { pngDataUrl } from '../../lib/png.js';
import { createRng, deriveSeed } from './prng.js';
import type { SplitPlan } from './splits.js';

/** How one output set is made from its images. */
export interface SetSpec {
  name: DemoSetName;
  idPrefix: string;
  source: 'train' | 'test';
  indices: number[];
  corrupt: boolean;
  /** Store the production model's softmax scores. */
  scores: boolean;
  /** Thumbnails for every record, none, or the first n of each concept. */
  thumbnails: 'all' | 'none' | { perConcept: number };
}

/** A set ready to write, with the (de-quantised) embeddings the metrics are measured on. */
export interface PreparedSet {
  spec: SetSpec;
  records: StoredRecord[];
  embeddings: Float32Array;
  concepts: string[];
  predicted: string[];
}

/** Thumbnails only where someone looks at them, to keep data/demo small. */
export function demoSetSpecs(plan: SplitPlan): SetSpec[] {
  return [
    { name: 'train', idPrefix: 'train', source: 'train', indices: plan.train, corrupt: false, scores: false, thumbnails: { perConcept: 50 } },
    { name: 'prodClean', idPrefix: 'prod-clean', source: 'test', indices: plan.prodClean, corrupt: false, scores: true, thumbnails: 'all' },
    { name: 'prodUgc', idPrefix: 'prod-ugc', source: 'test', indices: plan.prodUgc, corrupt: true, scores: true, thumbnails: 'all' },
    { name: 'evalClean', idPrefix: 'eval-clean', source: 'test', indices: plan.evalClean, corrupt: false, scores: true, thumbnails: 'none' },
    { name: 'evalUgc', idPrefix: 'eval-ugc', source: 'test', indices: plan.evalUgc, corrupt: true, scores: true, thumbnails: 'none' },
  ];
}

export interface PrepareOptions {
  seed: number;
  onImage?: () => void;
  onEmbedded?: (count: number) => void;
}

/** Corrupts (if asked), embeds and scores one set's images and turns them into records. */
export async function prepareSet(spec: SetSpec, data: FashionMnist, cnn: Cnn, options: PrepareOptions): Promise<PreparedSet> {
  const split = spec.source === 'train' ? data.train : data.test;
  const images = new Uint8Array(spec.indices.length * FMNIST_PIXELS);
  const corruptions = spec.indices.map((index, row) => {
    let bytes = imageBytes(split, index);
    let summary: StoredRecord['metadata']['corruption'];
    if (spec.corrupt) {
      const rng = createRng(deriveSeed(options.seed, 'corrupt', spec.name, index));
      const params = samplePhoneCorruption(rng, FMNIST_SIDE, FMNIST_SIDE);
      bytes = imageToBytes(applyCorruption(imageFromBytes(bytes, FMNIST_SIDE, FMNIST_SIDE), params, rng));
      summary = summarizeCorruption(params);
    }
    images.set(bytes, row * FMNIST_PIXELS);
    options.onImage?.();
    return summary;
  });
  const { embeddings, probabilities } = await embedImages(cnn, images, 256, options.onEmbedded);
  const known = KNOWN_CONCEPTS.map((c) => c.id);
  const thumbsTaken = new Map<string, number>();
  const decoded = new Float32Array(embeddings.length);
  const concepts: string[] = [];
  const predicted: string[] = [];
  const records = spec.indices.map((index, row): StoredRecord => {
    const concept = conceptForLabel(split.labels[index] as number).id;
    const embeddingQ8 = encodeEmbedding(embeddings.subarray(row * EMBEDDING_DIM, (row + 1) * EMBEDDING_DIM));
    decoded.set(decodeEmbedding(embeddingQ8), row * EMBEDDING_DIM);
    const probs = probabilities.subarray(row * known.length, (row + 1) * known.length);
    concepts.push(concept);
    predicted.push(known[argMax(probs)] as string);
    const corruption = corruptions[row];
    const pixels = images.subarray(row * FMNIST_PIXELS, (row + 1) * FMNIST_PIXELS);
    return {
      id: `${spec.idPrefix}-${String(index).padStart(5, '0')}`,
      concept,
      embeddingQ8,
      ...(spec.scores ? { scores: Object.fromEntries(known.map((id, k) => [id, round4(probs[k] as number)])) } : {}),
      ...(wantsThumbnail(spec, concept, thumbsTaken) ? { input: { url: pngDataUrl(pixels, FMNIST_SIDE, FMNIST_SIDE) } } : {}),
      metadata: {
        source: spec.source === 'train' ? 'fmnist-train' : 'fmnist-t10k',
        index,
        ...(corruption ? { corruption } : {}),
      },
    };
  });
  return { spec, records, embeddings: decoded, concepts, predicted };
}

function wantsThumbnail(spec: SetSpec, concept: string, taken: Map<string, number>): boolean {
  if (spec.thumbnails === 'all') return true;
  if (spec.thumbnails === 'none') return false;
  const count = taken.get(concept) ?? 0;
  if (count >= spec.thumbnails.perConcept) return false;
  taken.set(concept, count + 1);
  return true;
}

function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
