// Times the embedding_mmd drift test at production scale: 1000 production and 1000
// reference vectors of 512 dims, 200 permutations. Usage: npm run bench -- mmd [runs]
import { mmdPermutationTest } from '../../src/drift/stats/mmd.js';
import { mulberry32 } from '../../src/drift/stats/random.js';

const SIZE = 1000;
const DIMS = 512;
const PERMUTATIONS = 200;

function unitVectors(seed: number, count: number, shift: number): Float32Array[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const vector = Float32Array.from({ length: DIMS }, (_, k) => random() - 0.5 + (k === 0 ? shift : 0));
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  });
}

const runs = Number(process.argv[2] ?? 3);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('runs must be a positive integer');
  process.exit(1);
}
const production = unitVectors(1, SIZE, 0.05);
const reference = unitVectors(2, SIZE, 0);
const times: number[] = [];
for (let run = 1; run <= runs; run++) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = mmdPermutationTest(production, reference, { permutations: PERMUTATIONS, seed: run });
  const elapsed = performance.now() - start;
  // CPU time as well as wall time: on a shared machine the wall clock also counts waiting.
  const cpu = process.cpuUsage(cpuStart);
  times.push(elapsed);
  console.log(`run ${run}/${runs}: ${elapsed.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu  statistic=${result.statistic.toExponential(3)} p=${result.pValue.toFixed(4)} bandwidth=${result.bandwidth.toFixed(4)}`);
}
times.sort((a, b) => a - b);
console.log(`median of ${runs}: ${times[Math.floor(runs / 2)].toFixed(0)} ms for ${SIZE}×${SIZE} vectors, ${DIMS} dims, ${PERMUTATIONS} permutations`);
