// Times the embedding_mmd drift test at production scale: 1000 production and 1000
// reference vectors of 512 dims, 200 permutations; in-process (the ceiling: one core, the
// event loop blocked throughout) and on the worker-thread pool, with the longest event-loop
// stall measured while it runs. Usage: npm run bench -- mmd [runs] [--threads N] [--size N]
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { mmdPermutationTest, type MmdOptions, type MmdResult } from '../../src/drift/stats/mmd.js';
import { MmdThreads } from '../../src/drift/stats/mmd-threads.js';
import { mulberry32 } from '../../src/drift/stats/random.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const SIZE = Number(option('size', '1000'));
const DIMS = 512;
const PERMUTATIONS = 200;
const THREADS = Number(option('threads', String(os.availableParallelism())));

function unitVectors(seed: number, count: number, shift: number): Float32Array[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const vector = Float32Array.from({ length: DIMS }, (_, k) => random() - 0.5 + (k === 0 ? shift : 0));
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  });
}

const runs = Number(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 3);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('runs must be a positive integer');
  process.exit(1);
}
const production = unitVectors(1, SIZE, 0.05);
const reference = unitVectors(2, SIZE, 0);
const threads = new MmdThreads(THREADS, pino({ level: 'silent' }));

async function timed(label: string, run: (options: MmdOptions) => Promise<MmdResult>, options: MmdOptions): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const start = performance.now();
  const result = await run(options);
  const elapsed = performance.now() - start;
  delay.disable();
  // Without a stall the histogram can stay empty; its max is then 0.
  const stall = delay.count > 0 ? delay.max / 1e6 : elapsed;
  console.log(`  ${label}: ${elapsed.toFixed(0)} ms wall, longest event-loop stall ${stall.toFixed(1)} ms  statistic=${result.statistic.toExponential(3)} p=${result.pValue.toFixed(4)} (${result.permutations} permutations) bandwidth=${result.bandwidth.toFixed(4)}`);
  return elapsed;
}

console.log(`MMD benchmark: ${SIZE}×${SIZE} vectors, ${DIMS} dims, ${PERMUTATIONS} permutations, ${THREADS} threads, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
// One warm-up of each so that thread start-up and JIT are not timed.
await threads.test(production.slice(0, 50), reference.slice(0, 50), { permutations: PERMUTATIONS, seed: 0 });
mmdPermutationTest(production.slice(0, 50), reference.slice(0, 50), { permutations: PERMUTATIONS, seed: 0 });
const inProcess: number[] = [];
const pooled: number[] = [];
const stopped: number[] = [];
for (let run = 1; run <= runs; run++) {
  console.log(`run ${run}/${runs}`);
  const options = { permutations: PERMUTATIONS, seed: run };
  inProcess.push(await timed('in-process (ceiling)', async (o) => mmdPermutationTest(production, reference, o), options));
  pooled.push(await timed(`${THREADS} worker threads`, (o) => threads.test(production, reference, o), options));
  // The drift detector's sequential stop; without drift it ends early, with drift it runs all permutations.
  stopped.push(await timed(`${THREADS} threads, stop after 10 exceedances, same samples`, (o) => threads.test(reference, unitVectors(3, SIZE, 0), o), { ...options, stopAfterExceedances: 10 }));
}
await threads.close();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`median of ${runs}: in-process ${median(inProcess).toFixed(0)} ms; ${THREADS} threads ${median(pooled).toFixed(0)} ms (${(median(inProcess) / median(pooled)).toFixed(2)}x the in-process ceiling); no-drift with sequential stop ${median(stopped).toFixed(0)} ms`);
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
