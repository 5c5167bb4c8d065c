import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { decodeEmbedding } from './embedding-codec.js';

/** The five record sets of the demo, by their key in {@link DemoDataset}. */
export type DemoSetName = 'train' | 'prodClean' | 'prodUgc' | 'evalClean' | 'evalUgc';

export const DEMO_SET_FILES: Readonly<Record<DemoSetName, string>> = {
  train: 'train.jsonl',
  prodClean: 'prod-clean.jsonl',
  prodUgc: 'prod-ugc.jsonl',
  evalClean: 'eval-clean.jsonl',
  evalUgc: 'eval-ugc.jsonl',
};

const corruptionSummarySchema = z.object({
  rotationDeg: z.number(),
  scale: z.number(),
  shiftX: z.number(),
  shiftY: z.number(),
  occlusions: z.number(),
  background: z.number(),
  contrast: z.number(),
  gamma: z.number(),
  gradient: z.number(),
  blurSigma: z.number(),
  noiseSigma: z.number(),
});

const metadataSchema = z.object({
  source: z.enum(['fmnist-train', 'fmnist-t10k']),
  index: z.number().int(),
  corruption: corruptionSummarySchema.optional(),
});

/** One line of a `.jsonl` set file as stored on disk. */
export const storedRecordSchema = z.object({
  id: z.string(),
  concept: z.string(),
  embeddingQ8: z.string(),
  scores: z.record(z.string(), z.number()).optional(),
  input: z.object({ url: z.string() }).optional(),
  metadata: metadataSchema,
});

const conceptSchema = z.object({
  id: z.string(),
  description: z.string(),
  includes: z.array(z.string()),
  excludes: z.array(z.string()),
});

/** `model.json`: the body to PUT at /v1/models/{model}. */
export const modelBodySchema = z.object({
  task: z.literal('multiclass'),
  embeddingDim: z.number().int().positive(),
  encoder: z.string(),
  metric: z.enum(['cosine', 'l2']),
  concepts: z.array(conceptSchema),
});

const accuracySchema = z.object({ clean: z.number(), ugcKnown: z.number(), ugcAll: z.number() });
const headSchema = z.object({ softmax: accuracySchema, knn: accuracySchema });

export const manifestSchema = z.object({
  format: z.literal(1),
  encoder: z.string(),
  embeddingDim: z.number().int().positive(),
  embeddingEncoding: z.object({ type: z.literal('int8-base64'), scale: z.number() }),
  seed: z.number(),
  knownConcepts: z.array(z.string()),
  heldOutConcepts: z.array(z.string()),
  sets: z.record(z.string(), z.object({ file: z.string(), count: z.number(), thumbnails: z.number() })),
  cnn: z.object({
    architecture: z.string(),
    trainImages: z.number(),
    epochs: z.number(),
    finalLoss: z.number(),
  }),
  corruption: z.record(z.string(), z.unknown()),
  baseline: z.object({
    productionModel: accuracySchema,
    cleanOnlyHead: headSchema,
    withUgcLabelsHead: headSchema,
    ood: z.object({
      k: z.number(),
      quantile: z.number(),
      prodClean: z.number(),
      prodUgcKnown: z.number(),
      prodUgcHeldOut: z.number(),
    }),
  }),
  build: z.object({ backend: z.string(), seconds: z.number() }),
});

export type StoredRecord = z.infer<typeof storedRecordSchema>;
export type DemoModelBody = z.infer<typeof modelBodySchema>;
export type DemoManifest = z.infer<typeof manifestSchema>;
export type DemoMetadata = z.infer<typeof metadataSchema>;

/** A labeled record with its embedding decoded to unit-length numbers. */
export interface DemoRecord {
  id: string;
  /** Ground truth; for held-out concepts not among the model's concepts. */
  concept: string;
  embedding: number[];
  input?: { url: string };
  metadata: DemoMetadata;
}

/** A record that the production classifier scored (softmax over the known concepts). */
export interface DemoPrediction extends DemoRecord {
  scores: Record<string, number>;
}

export interface DemoDataset {
  manifest: DemoManifest;
  model: DemoModelBody;
  /** Clean training examples of the known concepts. */
  train: DemoRecord[];
  /** Clean production traffic, known concepts only. */
  prodClean: DemoPrediction[];
  /** Phone-like production traffic, including the held-out concepts. */
  prodUgc: DemoPrediction[];
  /** Held-out clean labeled set for evaluation. */
  evalClean: DemoPrediction[];
  /** Held-out phone-like labeled set for evaluation, including held-out concepts. */
  evalUgc: DemoPrediction[];
}

/** Loads every set of the demo data from `dir` (normally `data/demo`). */
export async function loadDemoDataset(dir: string): Promise<DemoDataset> {
  const manifest = manifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  const model = modelBodySchema.parse(JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')));
  const [train, prodClean, prodUgc, evalClean, evalUgc] = await Promise.all([
    loadDemoSet(dir, 'train'),
    loadDemoPredictions(dir, 'prodClean'),
    loadDemoPredictions(dir, 'prodUgc'),
    loadDemoPredictions(dir, 'evalClean'),
    loadDemoPredictions(dir, 'evalUgc'),
  ]);
  return { manifest, model, train, prodClean, prodUgc, evalClean, evalUgc };
}

/** Loads one set as plain records (scores, if stored, are dropped). */
export async function loadDemoSet(dir: string, set: DemoSetName): Promise<DemoRecord[]> {
  return (await readStoredSet(dir, set)).map(toRecord);
}

/** Loads one scored set; fails if a record lacks scores. */
export async function loadDemoPredictions(dir: string, set: DemoSetName): Promise<DemoPrediction[]> {
  return (await readStoredSet(dir, set)).map((stored) => {
    if (!stored.scores) throw new Error(`${DEMO_SET_FILES[set]}: record ${stored.id} has no scores`);
    return { ...toRecord(stored), scores: stored.scores };
  });
}

async function readStoredSet(dir: string, set: DemoSetName): Promise<StoredRecord[]> {
  const text = await readFile(join(dir, DEMO_SET_FILES[set]), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = storedRecordSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${DEMO_SET_FILES[set]} line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

function toRecord(stored: StoredRecord): DemoRecord {
  const record: DemoRecord = {
    id: stored.id,
    concept: stored.concept,
    embedding: decodeEmbedding(stored.embeddingQ8),
    metadata: stored.metadata,
  };
  if (stored.input) record.input = stored.input;
  return record;
}
