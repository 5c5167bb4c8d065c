/**
 * `npm run demo`: the perfect-pint loop on real images (Fashion-MNIST, see data/demo/README.md).
 * Starts the service, registers the model and its professional training data, streams clean
 * then phone-like production traffic, labels the review queue from ground truth, lets
 * retraining run, prints accuracy before and after, and leaves the service running.
 */
import path from 'node:path';
import { Command } from 'commander';
import { runDemo } from './demo/run/demo.runner.js';

const program = new Command('demo')
  .option('--port <port>', 'HTTP port', process.env.PORT ?? '8787')
  .option('--data-dir <dir>', 'where the demo service keeps its database (emptied first, only if the demo created it)', process.env.DRIFTLOOP_DATA_DIR ?? 'data/demo-run')
  .option('--labels <n>', 'labels to give through the queue', '1500')
  .parse();
const opts = program.opts<{ port: string; dataDir: string; labels: string }>();

try {
  await runDemo({
    dataDir: path.resolve(opts.dataDir),
    demoDir: path.resolve('data/demo'),
    port: Number(opts.port),
    model: 'perfect-pint',
    labels: Number(opts.labels),
    log: (line) => console.log(line),
  });
} catch (err) {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
