import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('DRIFTLOOP_COMPUTE_THREADS', () => {
  it('when unset, then one thread per core, at most 4', () => {
    expect(loadConfig({}).computeThreads).toBe(Math.min(os.availableParallelism(), 4));
  });

  it('when set, then that many threads, 0 meaning the event loop', () => {
    expect(loadConfig({ DRIFTLOOP_COMPUTE_THREADS: '3' }).computeThreads).toBe(3);
    expect(loadConfig({ DRIFTLOOP_COMPUTE_THREADS: '0' }).computeThreads).toBe(0);
  });

  it('when negative or not a number, then the configuration is rejected', () => {
    expect(() => loadConfig({ DRIFTLOOP_COMPUTE_THREADS: '-1' })).toThrow(/DRIFTLOOP_COMPUTE_THREADS/);
    expect(() => loadConfig({ DRIFTLOOP_COMPUTE_THREADS: 'many' })).toThrow(/DRIFTLOOP_COMPUTE_THREADS/);
  });
});
