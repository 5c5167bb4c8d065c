/**
 * Builds the "perfect pint" demo data set under data/demo/ from Fashion-MNIST.
 *
 * Rebuild:
 *   apt-get install dataset-fashion-mnist && npx tsx scripts/build-demo-data.ts
 * Options: --source <dir> (default /usr/share/datasets/fashion-mnist),
 *          --out <dir> (default data/demo), --seed <n> (default 42),
 *          --epochs <n> (default 3). Takes a few minutes on 2 cores (wasm).
 *
 * Why the embeddings are honest: a small CNN is trained here on clean images
 * of the seven known concepts only, then frozen. It never sees a corrupted
 * (phone-like) image, an image of the three held-out concepts, or any image
 * of the sets it later embeds, just as a pretrained backbone in production
 * never saw the users' photos. So the drop in accuracy and the drift in
 * embedding space are what such a model really does, not something staged.
 * data/demo/README.md (generated) lists the sets, corruption ranges and figures.
 */
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { buildDemoData } from './demo/data/build.js';
import type { BuildReporter } from './demo/data/build.js';
import { DEFAULT_FMNIST_DIR } from './demo/data/fashion-mnist.js';
import { DEFAULT_SPLIT_SIZES } from './demo/data/splits.js';

const MAX_BYTES = 10 * 1024 * 1024;

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return parsed;
}

function progressBars(): BuildReporter {
  let bar: cliProgress.SingleBar | undefined;
  return {
    begin(stage, total) {
      bar = new cliProgress.SingleBar(
        { format: `${stage.padEnd(16)} [{bar}] {percentage}% {value}/{total} {detail}`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { detail: '' });
    },
    advance(steps, detail) {
      bar?.increment(steps, detail === undefined ? {} : { detail });
    },
    end() {
      bar?.stop();
      bar = undefined;
    },
    log(message) {
      console.log(message);
    },
  };
}

const program = new Command()
  .name('build-demo-data')
  .description('Build the Fashion-MNIST "perfect pint" demo data set')
  .option('--source <dir>', 'Fashion-MNIST directory (idx .gz files)', DEFAULT_FMNIST_DIR)
  .option('--out <dir>', 'output directory', 'data/demo')
  .option('--seed <n>', 'seed for splits, CNN and corruptions', integer, 42)
  .option('--epochs <n>', 'CNN training epochs', integer, 3)
  .parse();

const options = program.opts<{ source: string; out: string; seed: number; epochs: number }>();

try {
  const result = await buildDemoData(
    {
      sourceDir: options.source,
      outDir: options.out,
      seed: options.seed,
      sizes: DEFAULT_SPLIT_SIZES,
      epochs: options.epochs,
      maxBytes: MAX_BYTES,
    },
    progressBars(),
  );
  for (const f of result.files) console.log(`${f.file.padEnd(16)} ${(f.bytes / 1024).toFixed(0).padStart(6)} KiB`);
  const b = result.manifest.baseline.productionModel;
  console.log(`total ${(result.totalBytes / 1024 / 1024).toFixed(2)} MiB in ${options.out}`);
  console.log(`production model accuracy: clean ${b.clean}, phone (known concepts) ${b.ugcKnown}`);
  console.log(`built in ${result.manifest.build.seconds} s`);
} catch (error) {
  console.error(`build-demo-data failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
