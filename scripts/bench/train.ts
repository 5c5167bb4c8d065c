/**
 * Retraining benchmark: `npm run bench -- train [--examples 50000] [--eval 5000] [--dim 256]
 * [--concepts 10] [--spread 4] [--hidden 0] [--keep]`. Uploads generated clustered examples
 * (`--examples` to the train split, `--eval` more to the eval split) to a model in a temp data
 * folder, runs one retraining job through the real job runner with the default settings, and
 * prints the backend, the training (fit) time and the whole job's time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createContainer } from '../../src/composition/container.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { ClusteredData } from '../../test/support/clustered-data.js';

const { values: args } = parseArgs({
  options: {
    examples: { type: 'string', default: '50000' },
    eval: { type: 'string', default: '5000' },
    dim: { type: 'string', default: '256' },
    concepts: { type: 'string', default: '10' },
    spread: { type: 'string', default: '4' },
    hidden: { type: 'string', default: '0' },
    keep: { type: 'boolean', default: false },
  },
});
const n = Number(args.examples);
const nEval = Number(args.eval);
const dim = Number(args.dim);
const clusters = Number(args.concepts);
const GOAL_SECONDS = 60;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-train-'));
const config = loadConfig({ DRIFTLOOP_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' });
const services = await createContainer(config, { log: createLogger('warn') });
let failed = false;
try {
  const concepts = Array.from({ length: clusters }, (_, i) => ({ id: `c${i}` }));
  const { model } = await services.models.put('bench', {
    task: 'multiclass',
    embeddingDim: dim,
    concepts,
    settings: { retrain: { hiddenUnits: Number(args.hidden) } },
  });
  const data = new ClusteredData({ dim, clusters, spread: Number(args.spread), seed: 7 });
  const upload = performance.now();
  const total = n + nEval;
  for (let start = 0; start < total; start += 5000) {
    const batch = Array.from({ length: Math.min(5000, total - start) }, (_, j) => {
      const i = start + j;
      const c = i % clusters;
      return { id: `e${i}`, embedding: data.point(c), concepts: [`c${c}`], split: i < n ? ('train' as const) : ('eval' as const) };
    });
    await services.examples.add(model, batch);
    process.stderr.write(`\ruploading examples ${Math.min(total, start + 5000)}/${total}`);
  }
  process.stderr.write(`  (${((performance.now() - upload) / 1000).toFixed(1)} s, not timed)\n`);

  await services.jobs.start();
  const queued = await services.training.requestRetrain(model, 'manual');
  let lastEpoch = 0;
  for (;;) {
    const job = (await services.jobs.get(queued.id))!;
    if (job.progress?.epoch && job.progress.epoch !== lastEpoch && job.progress.phase === 'training') {
      lastEpoch = job.progress.epoch;
      process.stderr.write(`epoch ${lastEpoch}/${job.progress.epochs} loss ${job.progress.loss?.toFixed(4)} val ${job.progress.valLoss?.toFixed(4)}\n`);
    }
    if (job.status === 'failed' || job.status === 'canceled') throw new Error(`job ${job.status}: ${JSON.stringify(job)}`);
    if (job.status === 'succeeded') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const [version] = await services.training.versions.list(model);
  if (!version) throw new Error('no version recorded');
  const t = version.metrics.training;
  const fitSeconds = t.fitMs / 1000;
  const jobSeconds = version.durationMs / 1000;
  const s = version.trainedOn.settings;
  console.log(
    JSON.stringify(
      {
        backend: version.backend,
        trainExamples: n,
        dim,
        concepts: clusters,
        fit: version.trainedOn.original.fit,
        validation: version.trainedOn.original.validation,
        eval: version.trainedOn.original.eval,
        settings: { hiddenUnits: s.hiddenUnits, batchSize: s.batchSize, learningRate: s.learningRate, epochs: s.epochs, patience: s.patience },
        epochsRun: t.epochsRun,
        bestEpoch: t.bestEpoch,
        trainingSeconds: Number(fitSeconds.toFixed(2)),
        secondsPerEpoch: Number((fitSeconds / t.epochsRun).toFixed(2)),
        jobSeconds: Number(jobSeconds.toFixed(2)),
        cleanAccuracy: version.metrics.clean?.accuracy,
        cleanMacroF1: version.metrics.clean?.macroF1,
      },
      null,
      2,
    ),
  );
  console.log(`training ${fitSeconds.toFixed(1)} s, whole job ${jobSeconds.toFixed(1)} s on ${version.backend}: goal < ${GOAL_SECONDS} s ${jobSeconds < GOAL_SECONDS ? 'met' : 'MISSED'}`);
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await services.close();
  if (!args.keep) fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
