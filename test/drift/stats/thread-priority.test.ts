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

describe.runIf(process.platform === 'linux')('compute threads at a lower priority', () => {
  it('when the pool runs with niceness 7, then its threads, and only they, run at nice 7 and the result is unchanged', async () => {
    const own = os.getPriority();
    const before = [...threadNiceness().values()].filter((n) => n === 7).length;
    const threads = new MmdThreads(2, pino({ level: 'silent' }), 7);
    try {
      const options = { permutations: 200, seed: 3 };
      // Two tasks at once reach both threads.
      const [a, b] = await Promise.all([threads.test(sample(0), sample(0.2), options), threads.test(sample(0.1), sample(0), options)]);
      expect(a).toEqual(mmdPermutationTest(sample(0), sample(0.2), options));
      expect(b).toEqual(mmdPermutationTest(sample(0.1), sample(0), options));
      expect([...threadNiceness().values()].filter((n) => n === 7).length - before).toBe(2);
      // The calling thread keeps its priority.
      expect(os.getPriority()).toBe(own);
    } finally {
      await threads.close();
    }
  });
});
