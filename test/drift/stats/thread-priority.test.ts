import fs from 'node:fs';
import os from 'node:os';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MmdThreads } from '../../../src/drift/stats/mmd-threads.js';
import { mmdPermutationTest } from '../../../src/drift/stats/mmd.js';

/** Nice value of every thread of this process, by the kernel's thread id. */
function threadNiceness(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task').map(Number)) {
    try {
      out.set(tid, os.getPriority(tid));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

const sample = (shift: number) => Array.from({ length: 12 }, (_, i) => Float32Array.from([i / 12 + shift, (i % 3) / 3]));

// Seven steps below the process's own priority: a suite run under `nice -n 10` checks 17, not 7,
// which its threads already exceed (the pool never raises a priority).
const own = os.getPriority();
const nice = own + 7;

describe.runIf(process.platform === 'linux' && nice <= 19)('compute threads at a lower priority', () => {
  it('when the pool runs seven steps nicer than the process, then its threads, and only they, run at that nice value and the result is unchanged', async () => {
    const before = [...threadNiceness().values()].filter((n) => n === nice).length;
    const threads = new MmdThreads(2, pino({ level: 'silent' }), nice);
    try {
      const options = { permutations: 200, seed: 3 };
      // Two tasks at once reach both threads.
      const [a, b] = await Promise.all([threads.test(sample(0), sample(0.2), options), threads.test(sample(0.1), sample(0), options)]);
      expect(a).toEqual(mmdPermutationTest(sample(0), sample(0.2), options));
      expect(b).toEqual(mmdPermutationTest(sample(0.1), sample(0), options));
      expect([...threadNiceness().values()].filter((n) => n === nice).length - before).toBe(2);
      // The calling thread keeps its priority.
      expect(os.getPriority()).toBe(own);
    } finally {
      await threads.close();
    }
  });
});
