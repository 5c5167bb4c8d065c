// Preloaded into a benchmarked service started with --expose-gc: SIGUSR2 runs a full garbage
// collection and then writes GC_DONE on stderr, so the benchmark can measure the heap after it.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  process.stderr.write(`GC_DONE ${globalThis.gc ? 'full' : 'unavailable'}\n`);
});
