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

describe('DRIFTLOOP_COMPUTE_NICENESS', () => {
  it('when unset, then 10; when set, that value, 0 keeping the priority', () => {
    expect(loadConfig({}).computeNiceness).toBe(10);
    expect(loadConfig({ DRIFTLOOP_COMPUTE_NICENESS: '0' }).computeNiceness).toBe(0);
    expect(loadConfig({ DRIFTLOOP_COMPUTE_NICENESS: '19' }).computeNiceness).toBe(19);
  });

  it('when out of range, then the configuration is rejected', () => {
    expect(() => loadConfig({ DRIFTLOOP_COMPUTE_NICENESS: '20' })).toThrow(/DRIFTLOOP_COMPUTE_NICENESS/);
    expect(() => loadConfig({ DRIFTLOOP_COMPUTE_NICENESS: '-5' })).toThrow(/DRIFTLOOP_COMPUTE_NICENESS/);
  });
});
