// Times the MMD's pairwise squared-distance pass alone on one thread: the WebAssembly SIMD
// kernel (src/drift/stats/gram.wat) against the scalar JS pass it replaced
// (test/support/gram-js.ts), on the same points, alternating, and how far their results
// differ. Usage: npm run bench -- gram [repetitions] [--size N] [--dims D]
import os from 'node:os';
import { blockRowsOf, GramMemories, squaredDistancesOfRows } from '../../src/drift/stats/gram.js';
import { mulberry32 } from '../../src/drift/stats/random.js';
import { squaredDistancesOfRowsJs, squaredNorms } from '../../test/support/gram-js.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const n = Number(option('size', '1000'));
const d = Number(option('dims', '512'));
const repetitions = Number(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 7);
if (![n, d, repetitions].every((value) => Number.isInteger(value) && value >= 1)) {
  console.error('repetitions, --size and --dims must be positive integers');
  process.exit(1);
}
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

// Float32 values widened, as the MMD's points are.
const random = mulberry32(1);
const gram = new GramMemories().acquire(n, d);
for (let k = 0; k < n * d; k++) gram.points[k] = Math.fround(random() - 0.5);
gram.norms.set(squaredNorms(gram.points, n, d));
const points = Float64Array.from(gram.points);
const norms = Float64Array.from(gram.norms);
const squared = new Float64Array(gram.squared.length);
const starts = blockRowsOf(n, 0, 1);

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}
const js = () => squaredDistancesOfRowsJs(points, norms, n, d, squared, starts);
const wasm = () => squaredDistancesOfRows(gram, n, d, starts);

console.log(`distance pass: ${n} points × ${d} dims (${((n * (n - 1)) / 2 * d / 1e6).toFixed(0)}M multiply-adds), one thread, ${os.cpus().length} CPUs, load average ${load()}`);
const firstWasm = time(wasm);
const firstJs = time(js);
console.log(`  first run (compilation and tier-up included): wasm ${firstWasm.toFixed(1)} ms, JS ${firstJs.toFixed(1)} ms`);
let differing = 0;
let largest = 0;
for (let k = 0; k < squared.length; k++) {
  if (gram.squared[k] !== squared[k]) differing++;
  largest = Math.max(largest, Math.abs(gram.squared[k] - squared[k]) / squared[k]);
}
console.log(`  ${differing} of ${squared.length} distances differ in the last bits (largest relative difference ${largest.toExponential(2)})`);
const jsTimes: number[] = [];
const wasmTimes: number[] = [];
for (let run = 0; run < repetitions; run++) {
  jsTimes.push(time(js));
  wasmTimes.push(time(wasm));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const list = (values: number[]) => values.map((value) => value.toFixed(0)).join(' ');
console.log(`  JS:   ${list(jsTimes)} ms`);
console.log(`  wasm: ${list(wasmTimes)} ms`);
console.log(`median of ${repetitions}: JS ${median(jsTimes).toFixed(1)} ms, wasm ${median(wasmTimes).toFixed(1)} ms (${(median(jsTimes) / median(wasmTimes)).toFixed(2)}x)`);
console.log(`load average after: ${load()}`);
