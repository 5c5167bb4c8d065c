import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultImporters, loadTensorflow } from '../../../src/ml/tf-backend.js';
import { measureBaseline } from './baseline.js';
import { HELD_OUT_CONCEPTS, KNOWN_CONCEPTS, knownIndexOfLabel } from './concepts.js';
import { PHONE_CORRUPTION_RANGES } from './corruptions.js';
import { DEMO_SET_FILES } from './demo-dataset.js';
import type { DemoManifest, DemoModelBody, DemoSetName } from './demo-dataset.js';
import { createCnn, disposeCnn, EMBEDDING_DIM, ENCODER_NAME, trainCnn } from './embedder.js';
import { EMBEDDING_ENCODING } from './embedding-codec.js';
import { FMNIST_PIXELS, imageBytes, loadFashionMnist } from './fashion-mnist.js';
import { deriveSeed } from './prng.js';
import { renderDemoReadme } from './readme.js';
import { demoSetSpecs, prepareSet } from './records.js';
import type { PreparedSet } from './records.js';
import { planSplits } from './splits.js';
import type { SplitSizes } from './splits.js';

export const CNN_ARCHITECTURE =
  'conv 3x3x16 ReLU → max-pool 2 → conv 3x3x32 ReLU → max-pool 2 → dense 64 ReLU (embedding, L2-normalised) → dense 7 softmax';

export interface BuildOptions {
  sourceDir: string;
  outDir: string;
  seed: number;
  sizes: SplitSizes;
  epochs: number;
  /** Fail when the written files exceed this many bytes. */
  maxBytes: number;
}

/** Receives progress; the script draws bars, tests can ignore it. */
export interface BuildReporter {
  begin(stage: string, total: number): void;
  advance(steps: number, detail?: string): void;
  end(): void;
  log(message: string): void;
}

export interface WrittenFile {
  file: string;
  bytes: number;
}

export interface BuildResult {
  manifest: DemoManifest;
  files: WrittenFile[];
  totalBytes: number;
}

export async function buildDemoData(options: BuildOptions, reporter: BuildReporter): Promise<BuildResult> {
  const started = Date.now();
  reporter.log(`reading Fashion-MNIST from ${options.sourceDir}`);
  const data = await loadFashionMnist(options.sourceDir);
  const plan = planSplits(data.train.labels, data.test.labels, options.sizes, options.seed);
  // Never tfjs-node: its native kernels round differently, and a rebuild must repeat the committed data.
  const { backend } = await loadTensorflow(defaultImporters, { backends: ['wasm', 'cpu'] });
  reporter.log(`TensorFlow.js backend: ${backend}`);

  const cnnImages = new Uint8Array(plan.cnn.length * FMNIST_PIXELS);
  const cnnLabels = new Int32Array(plan.cnn.length);
  plan.cnn.forEach((index, row) => {
    cnnImages.set(imageBytes(data.train, index), row * FMNIST_PIXELS);
    cnnLabels[row] = knownIndexOfLabel(data.train.labels[index] as number);
  });
  const cnn = createCnn(KNOWN_CONCEPTS.length, deriveSeed(options.seed, 'cnn-init'));
  const batchSize = 64;
  reporter.begin('train CNN', options.epochs * Math.ceil(plan.cnn.length / batchSize));
  const finalLoss = await trainCnn(cnn, cnnImages, cnnLabels, {
    epochs: options.epochs,
    batchSize,
    learningRate: 2e-3,
    seed: deriveSeed(options.seed, 'cnn-order'),
    onBatch: ({ epoch, loss }) => reporter.advance(1, `epoch ${epoch + 1}/${options.epochs} loss ${loss.toFixed(3)}`),
  });
  reporter.end();

  const prepared = new Map<DemoSetName, PreparedSet>();
  for (const spec of demoSetSpecs(plan)) {
    reporter.begin(spec.name, spec.indices.length * 2);
    const set = await prepareSet(spec, data, cnn, {
      seed: options.seed,
      onImage: () => reporter.advance(1, spec.corrupt ? 'corrupting' : 'reading'),
      onEmbedded: (count) => reporter.advance(count, 'embedding'),
    });
    prepared.set(spec.name, set);
    reporter.end();
  }
  disposeCnn(cnn);

  const setOf = (name: DemoSetName): PreparedSet => {
    const set = prepared.get(name);
    if (!set) throw new Error(`build: set ${name} was not prepared`);
    return set;
  };
  reporter.begin('baseline figures', 4);
  const baseline = await measureBaseline({
    dim: EMBEDDING_DIM,
    knownConcepts: KNOWN_CONCEPTS.map((c) => c.id),
    train: setOf('train'),
    prodClean: setOf('prodClean'),
    prodUgc: setOf('prodUgc'),
    evalClean: setOf('evalClean'),
    evalUgc: setOf('evalUgc'),
    seed: deriveSeed(options.seed, 'heads'),
    onStep: (label) => reporter.advance(1, label),
  });
  reporter.end();

  const model: DemoModelBody = {
    task: 'multiclass',
    embeddingDim: EMBEDDING_DIM,
    encoder: ENCODER_NAME,
    metric: 'cosine',
    concepts: KNOWN_CONCEPTS.map(({ id, description, includes, excludes }) => ({ id, description, includes, excludes })),
  };
  const manifest: DemoManifest = {
    format: 1,
    encoder: ENCODER_NAME,
    embeddingDim: EMBEDDING_DIM,
    embeddingEncoding: { ...EMBEDDING_ENCODING },
    seed: options.seed,
    knownConcepts: KNOWN_CONCEPTS.map((c) => c.id),
    heldOutConcepts: HELD_OUT_CONCEPTS.map((c) => c.id),
    sets: Object.fromEntries(
      [...prepared.values()].map((set) => [
        set.spec.name,
        {
          file: DEMO_SET_FILES[set.spec.name],
          count: set.records.length,
          thumbnails: set.records.filter((r) => r.input).length,
        },
      ]),
    ),
    cnn: { architecture: CNN_ARCHITECTURE, trainImages: plan.cnn.length, epochs: options.epochs, finalLoss: Math.round(finalLoss * 1e4) / 1e4 },
    corruption: { ...PHONE_CORRUPTION_RANGES, order: 'framing → occlusion → lighting → blur → noise' },
    baseline,
    build: { backend, seconds: 0 },
  };

  await mkdir(options.outDir, { recursive: true });
  const files: WrittenFile[] = [];
  const write = async (file: string, text: string): Promise<void> => {
    await writeFile(join(options.outDir, file), text);
    files.push({ file, bytes: (await stat(join(options.outDir, file))).size });
  };
  await write('model.json', `${JSON.stringify(model, null, 2)}\n`);
  for (const set of prepared.values()) {
    await write(DEMO_SET_FILES[set.spec.name], set.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  manifest.build.seconds = Math.round((Date.now() - started) / 1000);
  await write('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  await write('README.md', renderDemoReadme(manifest, files));
  const totalBytes = files.reduce((sum, f) => sum + f.bytes, 0);
  if (totalBytes > options.maxBytes) {
    throw new Error(`demo data is ${totalBytes} bytes, over the ${options.maxBytes}-byte budget`);
  }
  return { manifest, files, totalBytes };
}
