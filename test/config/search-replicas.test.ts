import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('DRIFTLOOP_SEARCH_REPLICAS', () => {
  it('when unset, then there is one search thread per core', () => {
    expect(loadConfig({}).indexes.searchReplicas).toBe(os.availableParallelism());
  });

  it('when set, then it is the number of search threads, and 0 keeps searches on the main thread', () => {
    expect(loadConfig({ DRIFTLOOP_SEARCH_REPLICAS: '3' }).indexes.searchReplicas).toBe(3);
    expect(loadConfig({ DRIFTLOOP_SEARCH_REPLICAS: '0' }).indexes.searchReplicas).toBe(0);
  });

  it('when it is not a small non-negative integer, then the configuration is refused', () => {
    for (const bad of ['-1', '1.5', 'many', '65']) expect(() => loadConfig({ DRIFTLOOP_SEARCH_REPLICAS: bad })).toThrow(/DRIFTLOOP_SEARCH_REPLICAS/);
  });
});

describe('DRIFTLOOP_SEARCH_NICENESS', () => {
  it('when unset, then the search threads keep their priority; when set, it is their nice value', () => {
    expect(loadConfig({}).indexes.searchNiceness).toBe(0);
    expect(loadConfig({ DRIFTLOOP_SEARCH_NICENESS: '5' }).indexes.searchNiceness).toBe(5);
    expect(() => loadConfig({ DRIFTLOOP_SEARCH_NICENESS: '20' })).toThrow(/DRIFTLOOP_SEARCH_NICENESS/);
  });
});
