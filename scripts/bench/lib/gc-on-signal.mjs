// Preloaded into a benchmarked service started with --expose-gc: SIGUSR2 runs full garbage
// collections and then writes GC_DONE on stderr, so the benchmark can measure the heap after
// them. Three, a turn apart: what a finalizer or a weak reference freed in one goes in the next.
import { setTimeout as sleep } from 'node:timers/promises';

process.on('SIGUSR2', async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await sleep(20);
  }
  process.stderr.write(`GC_DONE ${globalThis.gc ? 'full' : 'unavailable'}\n`);
});
